import type { StoredEvent } from '@trackstream/events';
import { TestEvents } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase, createTestPgSchema, endpointsFromEnv, uniqueName, type TestClickHouseDatabase, type TestPgSchema } from '@trackstream/testkit';
import { createQueryApi, type QueryApi } from './app';
import { readEvents, type RawEvent } from './testing';
import { seedProjections } from './testing';

const TOPIC = uniqueName('stream-topic');
let pgSchema: TestPgSchema;
let chDb: TestClickHouseDatabase;
let api: QueryApi;
let base: string;
const ev = new TestEvents('p');
const seed = (events: StoredEvent[], firstOffset: number) =>
  seedProjections({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, topic: TOPIC, events, firstOffset });
/** 20,000 points of `big` in 20 events (1,000 a batch, the limit), a spike up at step 7,777 and one down at 15,001. */
const BIG = 20_000;
const bigValue = (s: number) => (s === 7_777 ? 1_000 : s === 15_001 ? -1_000 : Math.sin(s / 100));

beforeAll(async () => {
  pgSchema = await createTestPgSchema('qs');
  chDb = await createTestClickHouseDatabase('qs');
  const big = Array.from({ length: BIG / 1000 }, (_, b) =>
    ev.metricsLogged('e1', 'r2', Array.from({ length: 1000 }, (_, i) => ({ key: 'big', value: bigValue(b * 1000 + i), step: b * 1000 + i }))),
  );
  await seed([ev.experimentCreated('e1', { name: 'n' }), ev.runStarted('e1', 'r1'), ev.metricsLogged('e1', 'r1', [0, 1, 2].map((s) => ({ key: 'loss', value: s, step: s }))), ev.runStarted('e1', 'r2'), ...big], 0);
  api = createQueryApi({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, eventsTopic: TOPIC, readYourWritesWaitMs: 100, streams: { maxStreams: 2, pollMs: 50 } });
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
  expect(JSON.parse(points.data)).toMatchObject({ key: 'loss', kind: 'replace', downsampled: false, points: [{ step: 0 }, { step: 1 }, { step: 2 }] });
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


it('sends a 20,000-point series first as a chart-sized frame that keeps its min and max, at most max_points buckets', async () => {
  const frameOf = (events: RawEvent[]) => JSON.parse(events.find((e) => e.event === 'points')!.data) as { kind: string; downsampled: boolean; points: { step: number; min: number; max: number }[] };
  const byDefault = frameOf(await readEvents(`${base}/v1/stream/runs/r2`, {}, 2));
  expect(byDefault).toMatchObject({ kind: 'replace', downsampled: true });
  expect(byDefault.points.length).toBeGreaterThan(100);
  expect(byDefault.points.length).toBeLessThanOrEqual(1_200);
  expect(Math.max(...byDefault.points.map((p) => p.max))).toBe(1_000);
  expect(Math.min(...byDefault.points.map((p) => p.min))).toBe(-1_000);
  expect(byDefault.points[byDefault.points.length - 1]!.step).toBe(BIG - 1);
  const narrow = frameOf(await readEvents(`${base}/v1/stream/runs/r2?max_points=300`, {}, 2));
  expect(narrow.points.length).toBeLessThanOrEqual(300);
  expect(Math.max(...narrow.points.map((p) => p.max))).toBe(1_000);
  expect(Math.min(...narrow.points.map((p) => p.min))).toBe(-1_000);
  const bad = await fetch(`${base}/v1/stream/runs/r2?max_points=0`);
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: unknown }).error).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'max_points' } });
});

it('as the series grows, sends only the points after the last step sent, live and on a resume', async () => {
  // Live: the frame, then the new steps alone (an append, not the series again).
  const live = readEvents(`${base}/v1/stream/runs/r2`, {}, 10, 10_000, (e) => e.event === 'points' && e.data.includes('"append"'));
  await new Promise((r) => setTimeout(r, 500));
  await seed([ev.metricsLogged('e1', 'r2', [BIG, BIG + 1].map((s) => ({ key: 'big', value: 5, step: s })))], 100);
  const got = (await live).filter((e) => e.event === 'points');
  expect(got.map((e) => JSON.parse(e.data).kind)).toEqual(['replace', 'append']);
  expect(JSON.parse(got[1]!.data).points.map((p: { step: number }) => p.step)).toEqual([BIG, BIG + 1]);
  // Resume from that append's id after two more steps: exactly those two.
  await seed([ev.metricsLogged('e1', 'r2', [BIG + 2, BIG + 3].map((s) => ({ key: 'big', value: 6, step: s })))], 200);
  const resumed = (await readEvents(`${base}/v1/stream/runs/r2`, { 'last-event-id': got[1]!.id! }, 2)).filter((e) => e.event === 'points');
  expect(resumed).toHaveLength(1);
  expect(JSON.parse(resumed[0]!.data)).toMatchObject({ kind: 'append', points: [{ step: BIG + 2 }, { step: BIG + 3 }] });
});
