import { TestEvents } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase, createTestPgSchema, endpointsFromEnv, uniqueName, type TestClickHouseDatabase, type TestPgSchema } from '@trackstream/testkit';
import { createQueryApi, type QueryApi } from './app';
import { seedProjections } from '@trackstream/query-api/testing';

/** Hostile paths and bodies get a 4xx naming the problem, never a 500, and the service stays healthy. */
const TOPIC = uniqueName('qa-hostile');
let pgSchema: TestPgSchema;
let chDb: TestClickHouseDatabase;
let api: QueryApi;
let base: string;

beforeAll(async () => {
  pgSchema = await createTestPgSchema('qa_hostile');
  chDb = await createTestClickHouseDatabase('qa_hostile');
  await seedProjections({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, topic: TOPIC, events: new TestEvents('proj').sampleStream('exp-h', 1) });
  api = createQueryApi({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, eventsTopic: TOPIC, readYourWritesWaitMs: 100 });
  base = (await api.listen()).url;
}, 120_000);

afterAll(async () => {
  await api?.close();
  await pgSchema?.cleanup();
  await chDb?.cleanup();
});

const long = 'a'.repeat(5000);

test.each([
  ['/v1/runs/%00', 404, 'RUN_NOT_FOUND'],
  ['/v1/runs/%ff', 400, 'BAD_REQUEST'],
  ['/v1/runs/x/metrics/%ff', 400, 'BAD_REQUEST'],
  ['/v1/runs/exp-h-run-0/metrics/%00', 400, 'BAD_REQUEST'],
  [`/v1/runs/${long}`, 404, 'RUN_NOT_FOUND'],
  [`/v1/runs/${long}/metrics/loss`, 404, 'RUN_NOT_FOUND'],
  ['/v1/runs/%00/events', 404, 'RUN_NOT_FOUND'],
  ['/v1/experiments/%00/events', 404, 'EXPERIMENT_NOT_FOUND'],
  [`/v1/experiments/${long}/events`, 404, 'EXPERIMENT_NOT_FOUND'],
  [`/v1/runs/${long}/events`, 404, 'RUN_NOT_FOUND'],
  ['/v1/runs/exp-h-run-0/events?page_token=%00', 400, 'PAGE_TOKEN_INVALID'],
  ['/v1/runs/exp-h-run-0/metrics/loss?min_step=%00', 400, 'BAD_REQUEST'],
  ['/v1/runs/..%2f..%2fetc', 404, 'RUN_NOT_FOUND'],
  ['/v1/experiments/%00', 404, 'EXPERIMENT_NOT_FOUND'],
  // A UTF-8-encoded lone surrogate is not valid UTF-8: a malformed encoding, refused before any store.
  ['/v1/experiments/%ed%a0%80', 400, 'BAD_REQUEST'],
  [`/v1/experiments/${long}`, 404, 'EXPERIMENT_NOT_FOUND'],
  ['/v1/experiments/%', 400, 'BAD_REQUEST'],
])('GET %s → 4xx with a code, never 500', async (path, status, code) => {
  const res = await fetch(base + path);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect([res.status, body.error.code]).toEqual([status, code]);
  expect(body.error.message.length).toBeGreaterThan(0);
});

test('compare with NUL and overlong ids answers 404 naming them, and a NUL metric key answers 400', async () => {
  const post = (body: unknown) => fetch(base + '/v1/runs/compare', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const missing = await post({ run_ids: ['exp-h-run-0', 'a\u0000b', 'x'.repeat(200)] });
  expect(missing.status).toBe(404);
  const bad = await post({ run_ids: ['exp-h-run-0'], metric_keys: ['lo\u0000ss'] });
  expect([bad.status, ((await bad.json()) as { error: { details: unknown } }).error.details]).toEqual([400, { field: 'metric_keys' }]);
  expect((await fetch(base + '/healthz')).status).toBe(200);
});

test.each([
  ['/v1/stream/runs/%00', 404, 'RUN_NOT_FOUND'],
  [`/v1/stream/runs/${long}`, 404, 'RUN_NOT_FOUND'],
  ['/v1/stream/runs/%ff', 400, 'BAD_REQUEST'],
  ['/v1/stream/experiments/%00', 404, 'EXPERIMENT_NOT_FOUND'],
  [`/v1/stream/experiments/${long}`, 404, 'EXPERIMENT_NOT_FOUND'],
  ['/v1/experiments?project=%00', 400, 'BAD_REQUEST'],
])('GET %s (live streams, list filters) → 4xx with a code, never 500', async (path, status, code) => {
  const res = await fetch(base + path);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect([res.status, body.error.code]).toEqual([status, code]);
});

test.each([
  ['/v1/runs/search', { experiment_ids: ['a\u0000b'] }, 'experiment_ids'],
  ['/v1/runs/search', { experiment_ids: ['\ud800'] }, 'experiment_ids'],
  ['/v1/runs/search', { experiment_ids: ['exp-h'], projects: ['p\u0000'] }, 'projects'],
  ['/v1/experiments/summaries', { experiment_ids: ['a\u0000b'] }, 'experiment_ids'],
])('POST %s %j → 400 naming the field, before any SQL', async (path, body, field) => {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as { error: { code: string; details: unknown } };
  expect([res.status, answer.error.code, answer.error.details]).toEqual([400, 'BAD_REQUEST', { field }]);
  expect((await fetch(base + '/healthz')).status).toBe(200);
});

test('an unreachable store answers 503 STORE_UNAVAILABLE, not 500', async () => {
  const down = createQueryApi({ pgUrl: 'postgres://trackstream@127.0.0.1:1/none', clickhouseUrl: 'http://127.0.0.1:1/none', eventsTopic: TOPIC, readYourWritesWaitMs: 10 });
  const url = (await down.listen()).url;
  try {
    const res = await fetch(`${url}/v1/runs/exp-h-run-0`);
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([503, 'STORE_UNAVAILABLE']);
  } finally {
    await down.close();
  }
});
