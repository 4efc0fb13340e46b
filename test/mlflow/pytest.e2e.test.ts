// The MLflow compatibility suite (test/mlflow, the real `mlflow` client from requirements-dev.txt) against
// Trackstream's MLflow-compatible server, with both projectors on the shared stack (own topic, schema, database).
// Artifacts go through the server's artifact proxy (/api/2.0/mlflow-artifacts/) into a directory of the test stack.
// `-m "not logged_models"`: MLflow 3's logged-models API (/api/2.0/mlflow/logged-models) is not served yet.
import { spawn, execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { startMlflowTestStack, type MlflowTestStack } from '@trackstream/mlflow-server/testing';

const REPO = path.resolve(__dirname, '../..');

function venvPython(): string {
  return execFileSync('bash', [path.join(REPO, 'scripts/python-env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function pytest(python: string, env: Record<string, string>, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args], {
      cwd: REPO,
      env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('MLflow client (pytest) against the MLflow-compatible server', () => {
  let stack: MlflowTestStack;
  let python: string;

  beforeAll(async () => {
    python = venvPython();
    stack = await startMlflowTestStack({ prefix: 'mlflowpy' });
  }, 240_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('passes every test of the compatibility suite but those needing logged models', async () => {
    const res = await pytest(python, { MLFLOW_TRACKING_URI: stack.url }, ['test/mlflow', '-m', 'not logged_models']);
    if (res.code !== 0) throw new Error(res.output.slice(-20_000));
    expect(res.output).toMatch(/\d+ passed/);
    expect(res.output).not.toMatch(/\d+ failed/);
  }, 400_000);
});
