import { TestEvents } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase, createTestPgSchema, endpointsFromEnv, uniqueName, type TestClickHouseDatabase, type TestPgSchema } from '@trackstream/testkit';
import { createQueryApi, type QueryApi } from './app';
import { readEvents } from './testing';
import { seedProjections } from './testing';

const TOPIC = uniqueName('stream-topic');
let pgSchema: TestPgSchema;
let chDb: TestClickHouseDatabase;
let api: QueryApi;
let base: string;

beforeAll(async () => {
  pgSchema = await createTestPgSchema('qs');
  chDb = await createTestClickHouseDatabase('qs');
  const ev = new TestEvents('p');
  await seedProjections({
    pgUrl: endpointsFromEnv().pgUrl,
    pgSchema: pgSchema.schema,
    clickhouseUrl: chDb.url,
    topic: TOPIC,
    events: [ev.experimentCreated('e1', { name: 'n' }), ev.runStarted('e1', 'r1'), ev.metricsLogged('e1', 'r1', [0, 1, 2].map((s) => ({ key: 'loss', value: s, step: s })))],
  });
  api = createQueryApi({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, eventsTopic: TOPIC, readYourWritesWaitMs: 100, streams: { maxStreams: 2 } });
  base = (await api.listen()).url;
}, 60_000);

afterAll(async () => {
  await api?.close();
  await pgSchema?.cleanup();
  await chDb?.cleanup();
});

it('sends the series and state at once; a reconnect with Last-Event-ID gets nothing it already has', async () => {
  const first = await readEvents(`${base}/v1/stream/runs/r1`, {}, 2);
  const points = first.find((e) => e.event === 'points')!;
  expect(JSON.parse(points.data)).toMatchObject({ key: 'loss', kind: 'append', points: [{ step: 0 }, { step: 1 }, { step: 2 }] });
  expect(first.some((e) => e.event === 'run')).toBe(true);
  const resumed = await readEvents(`${base}/v1/stream/runs/r1`, { 'last-event-id': points.id! }, 1);
  expect(resumed.map((e) => e.event)).toEqual(['run']);
});

it('answers an unknown run 404 and refuses streams beyond the bound with 503 + Retry-After', async () => {
  expect((await fetch(`${base}/v1/stream/runs/nope`)).status).toBe(404);
  const ctl = new AbortController();
  const open = await Promise.all([1, 2].map(() => fetch(`${base}/v1/stream/runs/r1`, { signal: ctl.signal })));
  expect(open.map((r) => r.status)).toEqual([200, 200]);
  const third = await fetch(`${base}/v1/stream/runs/r1`);
  expect(third.status).toBe(503);
  expect(third.headers.get('retry-after')).toBe('5');
  expect(((await third.json()) as { error: { code: string } }).error.code).toBe('STREAMS_EXHAUSTED');
  ctl.abort();
});

