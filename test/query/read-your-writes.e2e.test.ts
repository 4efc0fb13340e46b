import { randomUUID } from 'node:crypto';
import { ClickHouseSink } from '@trackstream/clickhouse';
import { PostgresSink } from '@trackstream/postgres';
import { ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';
import {
  createTestClickHouseDatabase,
  createTestPgSchema,
  createTestTopic,
  endpointsFromEnv,
  type TestClickHouseDatabase,
  type TestPgSchema,
  type TestTopic,
} from '@trackstream/testkit';
import { startKafkaGateway, type RunningGateway } from '@trackstream/ingest-gateway';
import { createQueryApi, type QueryApi } from '@trackstream/query-api';

/**
 * Read-your-writes across the services: a write through the gateway, projected by both projectors, read back at
 * once through the query API with the gateway's token. Then, with the projectors stopped, a token read answers
 * within its bound and says it is stale.
 */
const PROJECT = 'ryw';
const EXPERIMENT = 'exp-ryw';

let topic: TestTopic;
let dlq: TestTopic;
let pg: TestPgSchema;
let ch: TestClickHouseDatabase;
let gateway: RunningGateway;
let runtimes: ProjectionRuntime[] = [];
let sinks: { close(): Promise<void> }[] = [];
let api: QueryApi;
let gatewayUrl: string;
let apiUrl: string;

function envelope(type: string, runId: string | null, payload: object) {
  return { event_id: randomUUID(), type, project: PROJECT, experiment_id: EXPERIMENT, run_id: runId, occurred_at: Date.now(), payload };
}

async function write(events: object[]): Promise<string> {
  const res = await fetch(`${gatewayUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  const body = (await res.json()) as { accepted: number; token: string };
  expect(res.status).toBe(202);
  return body.token;
}

function runEvents(runId: string) {
  return [
    envelope('run_started', runId, { run_name: runId, user: 'ada', parent_run_id: null, source: {}, start_time: Date.now(), tags: { team: 'ryw' }, context: {} }),
    envelope('params_logged', runId, { params: { lr: '0.1' } }),
    envelope('metrics_logged', runId, { points: [0, 1, 2].map((step) => ({ key: 'loss', value: step === 1 ? 'NaN' : 1 / (step + 1), step, timestamp: Date.now() })) }),
  ];
}

beforeAll(async () => {
  const brokers = endpointsFromEnv().kafkaBrokers;
  topic = await createTestTopic('ryw', 3);
  dlq = await createTestTopic('ryw-dlq', 1);
  pg = await createTestPgSchema('ryw');
  ch = await createTestClickHouseDatabase('ryw');
  gateway = await startKafkaGateway({ brokers, topic: topic.topic, partitions: 3, logger: noopLogger, port: 0, host: '127.0.0.1', auth: { mode: 'off' } });
  gatewayUrl = `http://127.0.0.1:${gateway.address.port}`;
  const pgSink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: pg.schema });
  const chSink = new ClickHouseSink({ url: ch.url });
  sinks = [pgSink, chSink];
  for (const [name, sink] of [['postgres', pgSink], ['clickhouse', chSink]] as const) {
    await sink.setup();
    const runtime = new ProjectionRuntime({
      brokers,
      topic: topic.topic,
      dlqTopic: dlq.topic,
      groupId: `g-${name}-${topic.topic}`,
      sink,
      logger: noopLogger,
      metrics: new ProjectorMetrics(createMetricsRegistry(`ryw-${name}`), name),
      kafkaCommitIntervalMs: 500,
      lagRefreshIntervalMs: 1000,
    });
    await runtime.start();
    runtimes.push(runtime);
  }
  api = createQueryApi({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pg.schema, clickhouseUrl: ch.url, eventsTopic: topic.topic, readYourWritesWaitMs: 30_000, auth: { mode: 'off' } });
  apiUrl = (await api.listen()).url;
}, 180_000);

afterAll(async () => {
  for (const r of runtimes) await r.stop().catch(() => undefined);
  for (const s of sinks) await s.close().catch(() => undefined);
  await api?.close();
  await gateway?.stop(1000);
  await pg?.cleanup();
  await ch?.cleanup();
  await topic?.cleanup();
  await dlq?.cleanup();
});

test('a read with the gateway token sees the write at once, in Postgres and ClickHouse', async () => {
  const token = await write([envelope('experiment_created', null, { name: 'read-your-writes', description: null, tags: {} }), ...runEvents('run-ryw-1')]);
  const headers = { 'X-Trackstream-Token': token };

  const run = await fetch(`${apiUrl}/v1/runs/run-ryw-1`, { headers });
  expect([run.status, run.headers.get('x-trackstream-stale')]).toEqual([200, 'false']);
  const body = (await run.json()) as any;
  expect(body.run).toMatchObject({ run_id: 'run-ryw-1', status: 'RUNNING', params: { lr: '0.1' }, tags: { team: 'ryw' } });
  expect(body.run.metrics.loss).toMatchObject({ value: 0.3333333333333333, step: 2, count: 3 });

  const history = await fetch(`${apiUrl}/v1/runs/run-ryw-1/metrics/loss`, { headers });
  expect(history.headers.get('x-trackstream-stale')).toBe('false');
  expect(((await history.json()) as any).points.map((p: { value: unknown }) => p.value)).toEqual([1, 'NaN', 0.3333333333333333]);

  const experiment = await fetch(`${apiUrl}/v1/experiments/read-your-writes`, { headers });
  expect(((await experiment.json()) as any).experiment.experiment_id).toBe(EXPERIMENT);
}, 60_000);

test('without projectors a token read answers within the bound, marked stale', async () => {
  for (const r of runtimes) await r.stop();
  runtimes = [];
  const token = await write(runEvents('run-ryw-2'));
  const bounded = createQueryApi({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pg.schema, clickhouseUrl: ch.url, eventsTopic: topic.topic, readYourWritesWaitMs: 1000, auth: { mode: 'off' } });
  const url = (await bounded.listen()).url;
  try {
    const started = Date.now();
    const res = await fetch(`${url}/v1/runs/run-ryw-2`, { headers: { 'X-Trackstream-Token': token } });
    const elapsed = Date.now() - started;
    expect([res.status, res.headers.get('x-trackstream-stale')]).toEqual([404, 'true']);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(5000);
    const known = await fetch(`${url}/v1/runs/run-ryw-1`, { headers: { 'X-Trackstream-Token': token } });
    expect([known.status, known.headers.get('x-trackstream-stale')]).toEqual([200, 'true']);
  } finally {
    await bounded.close();
  }
}, 60_000);
