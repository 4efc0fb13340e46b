import { InMemoryTokenStore, TokenValidator } from '@trackstream/auth';
import { startMlflowTestStack, type MlflowTestStack } from '@trackstream/mlflow-server/testing';

/**
 * TRACKSTREAM_AUTH=on: MLflow's client sends MLFLOW_TRACKING_TOKEN as a Bearer token; it must be a Trackstream token,
 * and its project scopes every read and write (another project's runs and experiments answer as unknown ones).
 * The in-memory token store behind the real TokenValidator; the real stack behind the server.
 */
const store = new InMemoryTokenStore();
const validator = new TokenValidator(store, { refreshMs: 50 });
const tokens = { adminA: '', adminB: '', readerA: '', writerA: '' };
let stack: MlflowTestStack;

async function call(path: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${stack.url}/api/2.0/mlflow/${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  tokens.adminA = (await store.create({ principal: 'ada@lab', project: 'proj-a', role: 'admin' })).token;
  tokens.adminB = (await store.create({ principal: 'bob@lab', project: 'proj-b', role: 'admin' })).token;
  tokens.readerA = (await store.create({ principal: 'rita@lab', project: 'proj-a', role: 'reader' })).token;
  tokens.writerA = (await store.create({ principal: 'will@lab', project: 'proj-a', role: 'writer' })).token;
  await validator.start();
  stack = await startMlflowTestStack({ prefix: 'mlflow_auth', auth: { mode: 'on', validator } });
}, 120_000);

afterAll(async () => {
  validator.stop();
  await stack?.close();
});

describe('MLflow API with access control on', () => {
  it('given no token or a malformed one, then 401 UNAUTHENTICATED in MLflow shape', async () => {
    expect(await call('experiments/get?experiment_id=0', null)).toMatchObject({ status: 401, body: { error_code: 'UNAUTHENTICATED' } });
    expect(await call('experiments/get?experiment_id=0', 'not-a-token')).toMatchObject({ status: 401, body: { error_code: 'UNAUTHENTICATED' } });
  });

  it("given two projects' tokens, then each sees only its own experiments and runs, and names do not collide", async () => {
    const a = await call('experiments/create', tokens.adminA, { name: 'shared' });
    expect(a.status).toBe(200);
    const b = await call('experiments/create', tokens.adminB, { name: 'shared' });
    expect(b.status).toBe(200);
    expect(b.body.experiment_id).not.toBe(a.body.experiment_id);
    const run = await call('runs/create', tokens.adminA, { experiment_id: a.body.experiment_id, start_time: 1 });
    const runId = run.body.run.info.run_id as string;
    expect((await call(`runs/get?run_id=${runId}`, tokens.adminA)).status).toBe(200);
    expect(await call(`runs/get?run_id=${runId}`, tokens.adminB)).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await call('runs/log-metric', tokens.adminB, { run_id: runId, key: 'm', value: 1, timestamp: 1 })).toMatchObject({ status: 404 });
    expect((await call(`experiments/get?experiment_id=${a.body.experiment_id}`, tokens.adminB)).status).toBe(404);
    const byName = await call('experiments/get-by-name?experiment_name=shared', tokens.adminB);
    expect(byName.body.experiment.experiment_id).toBe(b.body.experiment_id);
    // Each project has its own Default experiment "0"; a search in B finds none of A's runs.
    const runB = await call('runs/create', tokens.adminB, { experiment_id: '0', start_time: 1 });
    expect(runB.body.run.info.experiment_id).toBe('0');
    const searchB = await call('runs/search', tokens.adminB, { experiment_ids: ['0', a.body.experiment_id] });
    expect(searchB.body.runs.map((r: any) => r.info.run_id)).toEqual([runB.body.run.info.run_id]);
  });

  it('given a reader, then reads work and writes are PERMISSION_DENIED; a writer-only token may not read', async () => {
    const exp = await call('experiments/create', tokens.adminA, { name: 'roles' });
    expect((await call(`experiments/get?experiment_id=${exp.body.experiment_id}`, tokens.readerA)).status).toBe(200);
    expect(await call('experiments/create', tokens.readerA, { name: 'nope' })).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } });
    expect((await call('runs/create', tokens.writerA, { experiment_id: exp.body.experiment_id })).status).toBe(200);
    expect(await call(`experiments/get?experiment_id=${exp.body.experiment_id}`, tokens.writerA)).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } });
  });
});
