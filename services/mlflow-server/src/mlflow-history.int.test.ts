import { startMlflowTestStack, type MlflowTestStack } from '@trackstream/mlflow-server/testing';

// Metric history through the MLflow API on the real stack: get-history pages (ClickHouse LIMIT), bulk-interval's
// step range and sampling, NaN/±Infinity as logged.
let stack: MlflowTestStack;
let runs: string[];

async function call(path: string, body?: unknown) {
  const res = await fetch(`${stack.url}/api/2.0/mlflow/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  stack = await startMlflowTestStack({ prefix: 'mlflow_hist' });
  const exp = (await call('experiments/create', { name: 'history' })).body.experiment_id as string;
  runs = [];
  for (let r = 0; r < 2; r++) {
    const run = (await call('runs/create', { experiment_id: exp, start_time: 1 })).body.run.info.run_id as string;
    const values: (number | string)[] = Array.from({ length: 10 }, (_, i) => i + r * 100);
    values[3] = 'NaN';
    values[4] = 'Infinity';
    values[5] = '-Infinity';
    const metrics = values.map((value, step) => ({ key: 'loss', value, step, timestamp: 1_000 + step }));
    expect((await call('runs/log-batch', { run_id: run, metrics })).status).toBe(200);
    runs.push(run);
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

test('get-history pages through every point as logged, in step order', async () => {
  const seen: unknown[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const q = new URLSearchParams({ run_id: runs[0]!, metric_key: 'loss', max_results: '4', ...(token ? { page_token: token } : {}) });
    const page = await call(`metrics/get-history?${q}`);
    expect(page.status).toBe(200);
    seen.push(...page.body.metrics.map((m: any) => [m.step, m.value]));
    token = page.body.next_page_token;
    pages += 1;
  } while (token);
  expect(pages).toBe(3);
  expect(seen).toEqual([[0, 0], [1, 1], [2, 2], [3, 'NaN'], [4, 'Infinity'], [5, '-Infinity'], [6, 6], [7, 7], [8, 8], [9, 9]]);
});

test('get-history-bulk-interval keeps the step range and samples each run to max_results with both ends', async () => {
  const q = new URLSearchParams({ metric_key: 'loss', start_step: '2', end_step: '8', max_results: '3' });
  for (const r of runs) q.append('run_ids', r);
  const res = await call(`metrics/get-history-bulk-interval?${q}`);
  expect(res.status).toBe(200);
  const byRun = (id: string) => res.body.metrics.filter((m: any) => m.run_id === id).map((m: any) => m.step);
  expect(byRun(runs[0]!)).toEqual([2, 5, 8]);
  expect(byRun(runs[1]!)).toEqual([2, 5, 8]);
  expect(res.body.metrics.find((m: any) => m.run_id === runs[1] && m.step === 8).value).toBe(108);
});
