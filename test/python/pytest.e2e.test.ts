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
    const args = process.env.TS_TEST_PYTEST_ARGS?.trim() ? process.env.TS_TEST_PYTEST_ARGS.trim().split(/\s+/) : ['tests'];
    const res = await pytest(python, stack.env, args);
    if (process.env.TS_TEST_PYTEST_LOG) writeFileSync(process.env.TS_TEST_PYTEST_LOG, res.output);
    if (res.code !== 0) throw new Error(res.output);
    expect(res.output).toMatch(/\d+ passed/);
  }, 300_000);
});
