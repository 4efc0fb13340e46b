// The Python SDK's pytest suite (clients/python/tests), run against the real stack: gateways, Kafka, both
// projectors, Postgres, ClickHouse and the query API, started here; pytest gets their addresses in its environment.
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startPythonTestStack, type PythonTestStack } from './stack';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'services/cli/dist/main.js');

function venvPython(): string {
  // Creates the venv (with the SDK installed editable) when missing; prints its python.
  return execFileSync('bash', [path.join(REPO, 'scripts/python-env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function pytest(python: string, env: Record<string, string>, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args], {
      cwd: path.join(REPO, 'clients/python'),
      env: { ...process.env, ...env, TS_TEST_CLI: CLI, TS_TEST_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('Python SDK (pytest) against the real stack', () => {
  let stack: PythonTestStack;
  let python: string;

  beforeAll(async () => {
    python = venvPython();
    stack = await startPythonTestStack();
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('passes every pytest test', async () => {
    // TS_TEST_PYTEST_ARGS (e.g. "tests/test_faults.py -k sigterm") runs a part of the suite while working on it.
    // Otherwise two pytest processes side by side: the 30 s gateway outage (mostly waiting, on a gateway of its own)
    // and everything else, so the outage does not add its 30 s to the suite's wall time.
    const custom = process.env.TS_TEST_PYTEST_ARGS?.trim();
    const runs = custom ? [custom.split(/\s+/)] : [['-m', 'outage', 'tests'], ['-m', 'not outage', 'tests']];
    const results = await Promise.all(runs.map((args) => pytest(python, stack.env, args)));
    const output = results.map((r) => r.output).join('\n');
    if (process.env.TS_TEST_PYTEST_LOG) writeFileSync(process.env.TS_TEST_PYTEST_LOG, output);
    for (const res of results) {
      if (res.code !== 0) throw new Error(res.output);
      expect(res.output).toMatch(/\d+ passed/);
    }
  }, 300_000);
});
