import { randomUUID } from 'node:crypto';
import { ClickHouseSink, TABLES } from '@trackstream/clickhouse';
import { PostgresSink, readProjection } from '@trackstream/postgres';
import {
  createTestClickHouseDatabase,
  createTestPgSchema,
  createTestTopic,
  endpointsFromEnv,
  freePort,
  type TestClickHouseDatabase,
  type TestPgSchema,
  type TestTopic,
} from '@trackstream/testkit';
import { GATEWAY_MAIN, spawnProjector, spawnService, type ChildProjector } from './child-projector';
import { waitForCatchUp } from '@trackstream/projector/testing';

jest.setTimeout(300_000);

const T0 = 1_763_900_000_000;
const RUNS = 200;
const STEPS = 500; // two keys × 500 steps = 1,000 points per run

const loss = (r: number, step: number) => 1 / (step + 1) + r / 1000;
const acc = (r: number, step: number) => ((step * 7 + r) % 500) / 500;

function runEvents(r: number): Record<string, unknown>[] {
  const run_id = `sweep-${r}`;
  const env = (type: string, at: number) => ({ event_id: randomUUID(), type, project: 'sweeps', experiment_id: 'exp-sweep', run_id, occurred_at: T0 + r * 1000 + at });
  const points = [];
  for (let step = 0; step < STEPS; step++) {
    points.push({ key: 'loss', value: loss(r, step), step, timestamp: T0 + step }, { key: 'acc', value: acc(r, step), step, timestamp: T0 + step });
  }
  return [
    {
      ...env('run_started', 0),
      payload: {
        run_name: `trial-${r}`,
        user: 'sweeper',
        parent_run_id: null,
        source: { git_commit: 'c0ffee', git_branch: 'main', git_dirty: false, entry_point: 'train.py', host: `gpu-${r % 4}` },
        start_time: T0 + r * 1000,
        tags: { sweep: 's1', trial: String(r) },
        context: {},
      },
    },
    { ...env('params_logged', 1), payload: { params: { lr: String((r + 1) / 1000), batch_size: String(16 << r % 4), optimizer: r % 2 ? 'adam' : 'sgd' } } },
    { ...env('metrics_logged', 2), payload: { points } },
    { ...env('tags_set', 3), payload: { tags: { note: `trial ${r} done` } } },
    { ...env('artifact_logged', 4), payload: { path: 'model.pt', uri: `s3://models/sweep-${r}/model.pt`, size_bytes: 1000 + r, sha256: null, media_type: null } },
    { ...env('run_completed', 999), payload: { status: r % 10 === 0 ? 'FAILED' : 'FINISHED', end_time: T0 + r * 1000 + 999 } },
  ];
}

describe('sweep end to end: HTTP gateway → Kafka → both projectors', () => {
  let topic: TestTopic;
  let dlq: TestTopic;
  let db: TestPgSchema;
  let ch: TestClickHouseDatabase;
  const children: ChildProjector[] = [];

  beforeAll(async () => {
    topic = await createTestTopic('proj_sweep', 4);
    dlq = await createTestTopic('proj_sweep_dlq', 1);
    db = await createTestPgSchema('proj_sweep');
    ch = await createTestClickHouseDatabase('proj_sweep');
  });

  afterAll(async () => {
    for (const c of children) {
      if (c.process.exitCode === null && c.process.signalCode === null) {
        c.process.kill('SIGTERM');
        await c.exited;
      }
    }
    await ch.cleanup();
    await db.cleanup();
    await topic.cleanup();
    await dlq.cleanup();
  });

  it('given a 200-run sweep sent through the gateway, when projected, then every count and value is exact in Postgres and ClickHouse', async () => {
    const { kafkaBrokers, pgUrl } = endpointsFromEnv();
    const common = {
      TRACKSTREAM_KAFKA_BROKERS: kafkaBrokers.join(','),
      TRACKSTREAM_EVENTS_TOPIC: topic.topic,
      TRACKSTREAM_DLQ_TOPIC: dlq.topic,
      TRACKSTREAM_LOG_LEVEL: 'warn',
    };
    const gatewayPort = await freePort();
    // Access control is not what this test is about: the gateway runs as the local single-user setup.
    const gateway = spawnService(GATEWAY_MAIN, [], { ...common, TRACKSTREAM_AUTH: 'off', TRACKSTREAM_GATEWAY_PORT: String(gatewayPort), TRACKSTREAM_EVENTS_TOPIC_PARTITIONS: '4' });
    children.push(gateway);
    const pgPort = await freePort();
    children.push(
      spawnProjector('postgres', {
        ...common,
        TRACKSTREAM_PG_URL: pgUrl,
        TRACKSTREAM_PG_SCHEMA: db.schema,
        TRACKSTREAM_PROJECTOR_GROUP_ID: `pg-${topic.topic}`,
        TRACKSTREAM_PROJECTOR_PORT: String(pgPort),
      }),
    );
    children.push(
      spawnProjector('clickhouse', {
        ...common,
        TRACKSTREAM_CLICKHOUSE_URL: ch.url,
        TRACKSTREAM_PROJECTOR_GROUP_ID: `ch-${topic.topic}`,
        TRACKSTREAM_PROJECTOR_PORT: String(await freePort()),
      }),
    );

    const base = `http://127.0.0.1:${gatewayPort}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 300) throw new Error(`gateway did not start:\n${gateway.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const post = async (events: Record<string, unknown>[]) => {
      const res = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-trackstream-principal': 'sweeper' },
        body: JSON.stringify({ events }),
      });
      expect(res.status).toBe(202);
    };
    await post([{ event_id: randomUUID(), type: 'experiment_created', project: 'sweeps', experiment_id: 'exp-sweep', run_id: null, occurred_at: T0, payload: { name: 'lr sweep', description: null, tags: { owner: 'ml' } } }]);
    for (let r = 0; r < RUNS; r += 8) {
      await Promise.all(Array.from({ length: Math.min(8, RUNS - r) }, (_, i) => post(runEvents(r + i))));
    }

    const pgSink = new PostgresSink({ connectionString: pgUrl, schema: db.schema, poolSize: 1 });
    const chSink = new ClickHouseSink({ url: ch.url });
    try {
      await waitForCatchUp(topic.topic, () => pgSink.loadCheckpoints(topic.topic), 120_000);
      await waitForCatchUp(topic.topic, () => chSink.loadCheckpoints(topic.topic), 120_000);
    } finally {
      await pgSink.close();
      await chSink.close();
    }

    // Postgres: every row and value, computed here from the generator, not from the projection code.
    const snap = await readProjection(db.pool, db.schema);
    expect(snap.experiments).toEqual([{ experiment_id: 'exp-sweep', project: 'sweeps', name: 'lr sweep', description: null, created_at: T0, last_update_time: T0, lifecycle_stage: null }]);
    expect(snap.experiment_tags).toEqual([{ experiment_id: 'exp-sweep', key: 'owner', value: 'ml' }]);
    expect(snap.runs).toHaveLength(RUNS);
    expect(snap.params).toHaveLength(RUNS * 3);
    expect(snap.param_conflicts).toHaveLength(0);
    expect(snap.tags).toHaveLength(RUNS * 3);
    expect(snap.latest_metrics).toHaveLength(RUNS * 2);
    expect(snap.artifacts).toHaveLength(RUNS);
    for (let r = 0; r < RUNS; r++) {
      const run_id = `sweep-${r}`;
      expect(snap.runs.find((x) => x.run_id === run_id)).toEqual({
        run_id,
        experiment_id: 'exp-sweep',
        lifecycle_stage: null,
        project: 'sweeps',
        run_name: `trial-${r}`,
        user_name: 'sweeper',
        parent_run_id: null,
        status: r % 10 === 0 ? 'FAILED' : 'FINISHED',
        start_time: T0 + r * 1000,
        end_time: T0 + r * 1000 + 999,
        source_git_commit: 'c0ffee',
        source_git_branch: 'main',
        source_git_dirty: false,
        source_entry_point: 'train.py',
        source_host: `gpu-${r % 4}`,
        context: {},
      });
      const params = Object.fromEntries(snap.params.filter((p) => p.run_id === run_id).map((p) => [p.key, p.value]));
      expect(params).toEqual({ lr: String((r + 1) / 1000), batch_size: String(16 << r % 4), optimizer: r % 2 ? 'adam' : 'sgd' });
      const tags = Object.fromEntries(snap.tags.filter((t) => t.run_id === run_id).map((t) => [t.key, t.value]));
      expect(tags).toEqual({ sweep: 's1', trial: String(r), note: `trial ${r} done` });
      const metric = (key: string) => snap.latest_metrics.find((m) => m.run_id === run_id && m.key === key);
      const lossValues = Array.from({ length: STEPS }, (_, s) => loss(r, s));
      const accValues = Array.from({ length: STEPS }, (_, s) => acc(r, s));
      expect(metric('loss')).toEqual({
        run_id, key: 'loss', value: loss(r, STEPS - 1), step: STEPS - 1, timestamp: T0 + STEPS - 1,
        min_value: Math.min(...lossValues), max_value: Math.max(...lossValues), count: STEPS,
      });
      expect(metric('acc')).toEqual({
        run_id, key: 'acc', value: acc(r, STEPS - 1), step: STEPS - 1, timestamp: T0 + STEPS - 1,
        min_value: Math.min(...accValues), max_value: Math.max(...accValues), count: STEPS,
      });
      expect(snap.artifacts.find((a) => a.run_id === run_id)).toMatchObject({ path: 'model.pt', uri: `s3://models/sweep-${r}/model.pt`, size_bytes: 1000 + r });
    }

    // ClickHouse: every event and every point once, per-run sums exact.
    const one = async (query: string) => {
      const rs = await ch.client.query({ query, format: 'JSONEachRow' });
      return (await rs.json<Record<string, unknown>>())[0]!;
    };
    expect(Number((await one(`SELECT count() AS n FROM ${ch.database}.${TABLES.events} FINAL`)).n)).toBe(1 + RUNS * 6);
    expect(Number((await one(`SELECT count() AS n FROM ${ch.database}.${TABLES.metricPoints} FINAL`)).n)).toBe(RUNS * STEPS * 2);
    const perRun = await one(
      `SELECT uniqExact(run_id) AS runs, min(c) AS lo, max(c) AS hi FROM (SELECT run_id, count() AS c FROM ${ch.database}.${TABLES.metricPoints} FINAL GROUP BY run_id)`,
    );
    expect([Number(perRun.runs), Number(perRun.lo), Number(perRun.hi)]).toEqual([RUNS, STEPS * 2, STEPS * 2]);
    const sum = await one(`SELECT sum(value) AS s FROM ${ch.database}.${TABLES.metricPoints} FINAL WHERE key = 'loss'`);
    let expected = 0;
    for (let r = 0; r < RUNS; r++) for (let s = 0; s < STEPS; s++) expected += loss(r, s);
    expect(Number(sum.s)).toBeCloseTo(expected, 6);

    // The projector's own /metrics show the stream applied.
    const text = await (await fetch(`http://127.0.0.1:${pgPort}/metrics`)).text();
    expect(text).toMatch(/trackstream_projector_events_applied_total\{type="metrics_logged"[^}]*\} 200/);
  });
});
