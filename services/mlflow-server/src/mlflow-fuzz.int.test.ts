import fc from 'fast-check';
import { createKafkaClient, topicEndOffsets } from '@trackstream/kafka';
import { noopLogger } from '@trackstream/telemetry';
import { endpointsFromEnv } from '@trackstream/testkit';
import { startMlflowTestStack, type MlflowTestStack } from '@trackstream/mlflow-server/testing';
import { API_PREFIXES, ROUTES } from './routes';

// Property: whatever bad request reaches the MLflow API (malformed JSON, bodies of the wrong shape, wrong field
// types, oversize batches, keys MLflow's rule refuses, unknown endpoints and methods), the answer is a 4xx in
// MLflow's error shape, never a 5xx, and nothing is appended to the log.
let stack: MlflowTestStack;
let runId: string;
const kafka = createKafkaClient({ clientId: 'mlflow-fuzz', brokers: endpointsFromEnv().kafkaBrokers, logger: noopLogger, logLevel: 'error' });

async function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}${path}`, { method, body: method === 'GET' ? undefined : body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  return { status: res.status, text, retryAfter: res.headers.get('retry-after') };
}

beforeAll(async () => {
  stack = await startMlflowTestStack({ prefix: 'mlflow_fuzz' });
  const exp = JSON.parse((await call('POST', '/api/2.0/mlflow/experiments/create', JSON.stringify({ name: 'fuzz' }))).text) as { experiment_id: string };
  const run = JSON.parse((await call('POST', '/api/2.0/mlflow/runs/create', JSON.stringify({ experiment_id: exp.experiment_id }))).text) as { run: { info: { run_id: string } } };
  runId = run.run.info.run_id;
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** Field names of MLflow requests: random objects never carry them, so no generated request is a valid write. */
const KNOWN_FIELDS = new Set(['name', 'experiment_id', 'run_id', 'run_uuid', 'key', 'value', 'metrics', 'params', 'tags', 'new_name', 'datasets', 'status', 'end_time', 'run_name', 'start_time', 'user_id', 'experiment_ids', 'filter', 'order_by', 'max_results', 'page_token', 'view_type', 'run_view_type', 'metric_key', 'run_ids', 'path', 'timestamp', 'step', 'experiment_name', 'artifact_location']);
const json = fc.jsonValue({ maxDepth: 3 });
const randomObject = fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => !KNOWN_FIELDS.has(k)), json, { maxKeys: 5 });
const badKey = fc.constantFrom('bad$key', '../escape', '/absolute', 'tab\tkey', 'x'.repeat(251), '', 'a//b', 'semi;colon', 'nul\u0000');
const metric = (over: Record<string, unknown>) => ({ key: 'm', value: 1, timestamp: 1_700_000_000_000, step: 0, ...over });

// Bodies no endpoint accepts: not JSON, JSON of the wrong shape, objects without any field an endpoint needs.
const anyBad = fc.oneof(
  fc.constantFrom('{', '{"run_id": ', '[1, 2, 3]', '"a string"', '42', 'null', 'true', '\u0000', '{"a":1}garbage', "{'single': 1}"),
  fc.string({ maxLength: 40 }).filter((s) => { try { const v: unknown = JSON.parse(s); return typeof v !== 'object' || v === null || Array.isArray(v); } catch { return true; } }),
  randomObject.map((o) => JSON.stringify(o)),
);
// Bodies bad for one endpoint in particular (the seeded run's id stands as "RUN").
const metricBad = fc.oneof(
  fc.constantFrom({ value: 'abc' }, { value: [1] }, { step: 'seven' }, { timestamp: 'later' }, { key: 5 }, { value: {} }, { step: 1.5 }, { timestamp: -1.5 }, { step: '99999999999999999999' }, { value: null }),
  badKey.map((key) => ({ key })),
);
const specific = fc.oneof(
  fc.record({ path: fc.constant('runs/log-batch'), body: metricBad.map((bad) => JSON.stringify({ run_id: 'RUN', metrics: [metric({}), metric(bad)] })) }),
  fc.record({ path: fc.constant('runs/log-batch'), body: json.filter((v) => !Array.isArray(v) && v !== null).map((m) => JSON.stringify({ run_id: 'RUN', metrics: m })) }),
  fc.record({ path: fc.constant('runs/log-batch'), body: badKey.map((key) => JSON.stringify({ run_id: 'RUN', params: [{ key, value: '1' }] })) }),
  fc.record({ path: fc.constant('runs/log-batch'), body: badKey.map((key) => JSON.stringify({ run_id: 'RUN', tags: [{ key, value: '1' }] })) }),
  fc.record({ path: fc.constant('runs/log-batch'), body: fc.integer({ min: 1001, max: 1010 }).map((n) => JSON.stringify({ run_id: 'RUN', metrics: Array.from({ length: n }, (_, i) => metric({ step: i })) })) }),
  fc.record({ path: fc.constant('runs/log-batch'), body: fc.integer({ min: 101, max: 110 }).map((n) => JSON.stringify({ run_id: 'RUN', params: Array.from({ length: n }, (_, i) => ({ key: `p${i}`, value: '1' })) })) }),
  fc.record({ path: fc.constant('runs/log-batch'), body: fc.constant(JSON.stringify({ run_id: 'RUN', params: [{ key: 'p', value: '1' }, { key: 'p', value: '2' }] })) }),
  fc.record({ path: fc.constant('runs/log-batch'), body: fc.constant(JSON.stringify({ run_id: '0123456789abcdef0123456789abcdef', metrics: [metric({})] })) }),
  fc.record({ path: fc.constant('runs/log-metric'), body: metricBad.map((bad) => JSON.stringify({ run_id: 'RUN', ...metric(bad) })) }),
  fc.record({ path: fc.constant('runs/log-parameter'), body: badKey.map((key) => JSON.stringify({ run_id: 'RUN', key, value: '1' })) }),
  fc.record({ path: fc.constant('runs/log-parameter'), body: fc.constant(JSON.stringify({ run_id: 'RUN', key: 'p', value: 'v'.repeat(6001) })) }),
  fc.record({ path: fc.constant('runs/set-tag'), body: badKey.map((key) => JSON.stringify({ run_id: 'RUN', key, value: '1' })) }),
  fc.record({ path: fc.constant('runs/set-tag'), body: fc.constant(JSON.stringify({ run_id: 'RUN', key: 't', value: 'v'.repeat(5001) })) }),
  fc.record({ path: fc.constant('runs/delete-tag'), body: fc.constant(JSON.stringify({ run_id: 'RUN', key: 'never-set' })) }),
  fc.record({ path: fc.constant('runs/update'), body: fc.constantFrom('EXPLODED', 7, true, '').map((status) => JSON.stringify({ run_id: 'RUN', status })) }),
  fc.record({ path: fc.constant('runs/create'), body: fc.constantFrom(JSON.stringify({ experiment_id: '987654321987654321' }), JSON.stringify({ experiment_id: 0, tags: 'x' })) }),
  fc.record({ path: fc.constant('runs/log-inputs'), body: fc.constantFrom(JSON.stringify({ run_id: 'RUN', datasets: [{}] }), JSON.stringify({ run_id: 'RUN', datasets: 'x' })) }),
  fc.record({ path: fc.constant('experiments/create'), body: fc.constantFrom(JSON.stringify({ name: '' }), JSON.stringify({ name: 5 }), JSON.stringify({ name: 'fuzz' }), JSON.stringify({ name: 'n', tags: [{ key: '../x', value: '1' }] })) }),
  fc.record({ path: fc.constant('experiments/update'), body: fc.constantFrom(JSON.stringify({ experiment_id: '987654321987654321', new_name: 'x' }), JSON.stringify({ experiment_id: '0' })) }),
  fc.record({ path: fc.constant('experiments/delete'), body: fc.constantFrom(JSON.stringify({ experiment_id: '0' }), JSON.stringify({ experiment_id: '987654321987654321' })) }),
  fc.record({ path: fc.constant('experiments/set-experiment-tag'), body: badKey.map((key) => JSON.stringify({ experiment_id: '0', key, value: '1' })) }),
);
const searchBody = fc.oneof(
  anyBad,
  fc.constantFrom(
    JSON.stringify({ experiment_ids: [1], filter: 'metrics.acc >>> 1' }), JSON.stringify({ experiment_ids: ['0'], filter: "params.x = 'unterminated" }),
    JSON.stringify({ experiment_ids: ['0'], page_token: 'not-a-token' }), JSON.stringify({ filter: "name LIKE '%' OR 1", max_results: 0 }),
    JSON.stringify({ max_results: 1e30 }), JSON.stringify({ order_by: ['nope DESC'] }), JSON.stringify({ run_view_type: 'SOME' }), JSON.stringify({ filter: '('.repeat(5000) }),
  ),
);

const writePaths = ROUTES.filter((r) => r.access === 'write').map((r) => r.path);
const readPostPaths = ROUTES.filter((r) => r.access === 'read' && r.method === 'POST').map((r) => r.path);
const getQueries = fc.constantFrom(
  'runs/get?run_id=0123456789abcdef0123456789abcdef', 'runs/get', 'experiments/get?experiment_id=%00', 'experiments/get-by-name', 'experiments/get-by-name?experiment_name=',
  'metrics/get-history?run_id=x', 'metrics/get-history?metric_key=m', 'metrics/get-history?run_id=RUN&metric_key=m&max_results=-1', 'metrics/get-history?run_id=RUN&metric_key=m&page_token=%ff',
  'metrics/get-history-bulk-interval?metric_key=m', 'metrics/get-history-bulk-interval?run_ids=RUN&metric_key=m&start_step=5&end_step=1',
  'artifacts/list?run_id=RUN&path=../../etc', 'artifacts/list', 'experiments/search?max_results=99999999999999999999', 'experiments/search?view_type=SOME',
);
const prefix = fc.constantFrom(...API_PREFIXES);
const request = fc.oneof(
  fc.record({ method: fc.constant('POST'), prefix, path: fc.constantFrom(...writePaths), body: anyBad }),
  specific.chain(({ path, body }) => fc.record({ method: fc.constant('POST'), prefix, path: fc.constant(path), body: fc.constant(body) })),
  // searches only read: a body they can use answers 200 (never 5xx)
  fc.record({ method: fc.constant('POST'), prefix, path: fc.constantFrom(...readPostPaths), body: searchBody, read: fc.constant(true) }),
  fc.record({ method: fc.constant('GET'), prefix, path: getQueries, body: fc.constant(undefined) }),
  // unknown endpoints and wrong methods
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    prefix: fc.constantFrom(...API_PREFIXES, '/api/2.0/', '/api/2.1/mlflow/', '/'),
    path: fc.oneof(fc.constantFrom('runs/nope', 'experiments', '', 'runs/get/extra', '%ff', '..%2f..%2f', 'runs/log-batch', 'runs/get'), fc.string({ maxLength: 20 }).map(encodeURIComponent)),
    body: fc.option(fc.oneof(anyBad, specific.map((x) => x.body)), { nil: undefined }),
  }).filter((r) => !ROUTES.some((x) => API_PREFIXES.some((p) => `${r.prefix}${r.path}` === `${p}${x.path}` && r.method === x.method)) && !['/health', '/version'].includes(`${r.prefix}${r.path}`)),
);

describe('MLflow API against hostile input', () => {
  it('answers every bad request with a 4xx in MLflow error shape and appends nothing', async () => {
    const before = await topicEndOffsets(kafka, stack.topic);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const res = await call(r.method, `${r.prefix}${r.path.replace(/RUN/g, runId)}`, r.body?.replace(/"RUN"/g, JSON.stringify(runId)));
        expect(res.status).toBeLessThan(500);
        if ('read' in r && res.status === 200) return;
        expect(res.status).toBeGreaterThanOrEqual(400);
        const parsed = JSON.parse(res.text) as { error_code?: unknown; message?: unknown };
        expect(typeof parsed.error_code).toBe('string');
        expect(typeof parsed.message).toBe('string');
      }),
      { seed: 20261207, numRuns: 400 },
    );
    // Oversize bodies: declared and streamed without a length.
    const big = Buffer.alloc(5 * 1024 * 1024, 'a');
    const over = await call('POST', '/api/2.0/mlflow/runs/log-batch', big);
    expect([over.status, JSON.parse(over.text).error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    // A compressed body is refused by name rather than misread.
    const gz = await call('POST', '/api/2.0/mlflow/runs/log-batch', JSON.stringify({ run_id: runId }), { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(400);
    expect(await topicEndOffsets(kafka, stack.topic)).toEqual(before);
    const run = JSON.parse((await call('GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).text) as { run: { data: { metrics: unknown[]; params: unknown[] } } };
    expect(run.run.data.metrics).toEqual([]);
    expect(run.run.data.params).toEqual([]);
    expect((await call('GET', '/health')).status).toBe(200);
  }, 240_000);
});
