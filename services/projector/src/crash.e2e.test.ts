import { ClickHouseSink, readProjection as readClickHouse, TABLES } from '@trackstream/clickhouse';
import { PostgresSink, readProjection as readPostgres } from '@trackstream/postgres';
import { type ProjectionSink } from '@trackstream/projection-core';
import { batchOf, TestEvents } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase, createTestPgSchema, createTestTopic, endpointsFromEnv, type TestTopic } from '@trackstream/testkit';
import type { StoredEvent } from '@trackstream/events';
import { spawnProjector, type ChildProjector } from './child-projector';
import { produceEvents, waitForCatchUp } from '@trackstream/projector/testing';

jest.setTimeout(300_000);

const RUNS = 60;
const METRIC_EVENTS = 30;
const POINTS = 50;

/** 60 runs × (lifecycle + 30 metric events of 50 points): ~2,100 events, 90,000 points over 4 partitions. */
function sweep(ev: TestEvents): StoredEvent[] {
  const out: StoredEvent[] = [ev.experimentCreated('exp-crash', { name: 'crash sweep' })];
  for (let r = 0; r < RUNS; r++) {
    const run = `crash-run-${r}`;
    out.push(ev.runStarted('exp-crash', run), ev.paramsLogged('exp-crash', run, { lr: String(r / 100), depth: String(r % 5) }));
    for (let b = 0; b < METRIC_EVENTS; b++) {
      out.push(
        ev.metricsLogged(
          'exp-crash',
          run,
          Array.from({ length: POINTS }, (_, i) => ({ key: i % 2 === 0 ? 'loss' : 'acc', value: Math.sin(r + b * POINTS + i), step: b * POINTS + i })),
        ),
      );
    }
    out.push(ev.tagsSet('exp-crash', run, { sweep: 'crash' }), ev.paramsLogged('exp-crash', run, { lr: 'conflict' }), ev.runCompleted('exp-crash', run));
  }
  return out;
}

/** One store under test: where the child projector writes, how to read it, and a fresh store for the reference. */
interface Store {
  env: Record<string, string>;
  sink(): ProjectionSink;
  snapshot(): Promise<unknown>;
  /** Exact counts that would show a lost or doubled event. */
  checkCounts(): Promise<void>;
  /** The uninterrupted projection: the whole stream applied in one go to a fresh store. */
  reference(events: StoredEvent[]): Promise<unknown>;
  cleanup(): Promise<void>;
}

async function postgresStore(): Promise<Store> {
  const { pgUrl } = endpointsFromEnv();
  const db = await createTestPgSchema('proj_crash');
  return {
    env: { TRACKSTREAM_PG_URL: pgUrl, TRACKSTREAM_PG_SCHEMA: db.schema },
    sink: () => new PostgresSink({ connectionString: pgUrl, schema: db.schema, poolSize: 1 }),
    snapshot: () => readPostgres(db.pool, db.schema),
    checkCounts: async () => {
      const snap = await readPostgres(db.pool, db.schema);
      expect(snap.runs).toHaveLength(RUNS);
      expect(snap.runs.every((r) => r.status === 'FINISHED')).toBe(true);
      expect(snap.latest_metrics).toHaveLength(RUNS * 2);
      expect(snap.latest_metrics.reduce((a, m) => a + Number(m.count), 0)).toBe(RUNS * METRIC_EVENTS * POINTS);
      expect(snap.param_conflicts).toHaveLength(RUNS);
      expect(snap.params.filter((p) => p.key === 'lr').map((p) => p.value)).not.toContain('conflict');
    },
    reference: async (events) => {
      const ref = await createTestPgSchema('proj_crash_ref');
      const sink = new PostgresSink({ connectionString: pgUrl, schema: ref.schema, poolSize: 1 });
      await sink.setup();
      await sink.apply(batchOf('ref', 0, events));
      const snap = await readPostgres(ref.pool, ref.schema);
      await sink.close();
      await ref.cleanup();
      return snap;
    },
    cleanup: () => db.cleanup(),
  };
}

async function clickhouseStore(): Promise<Store> {
  const db = await createTestClickHouseDatabase('proj_crash');
  const count = async (table: string) => {
    const rs = await db.client.query({ query: `SELECT count() AS n FROM ${db.database}.${table} FINAL`, format: 'JSONEachRow' });
    return Number((await rs.json<{ n: string }>())[0]!.n);
  };
  return {
    env: { TRACKSTREAM_CLICKHOUSE_URL: db.url },
    sink: () => new ClickHouseSink({ url: db.url }),
    snapshot: () => readClickHouse(db.client, db.database),
    checkCounts: async () => {
      expect(await count(TABLES.metricPoints)).toBe(RUNS * METRIC_EVENTS * POINTS);
      expect(await count(TABLES.events)).toBe(1 + RUNS * (METRIC_EVENTS + 5));
    },
    reference: async (events) => {
      const ref = await createTestClickHouseDatabase('proj_crash_ref');
      const sink = new ClickHouseSink({ url: ref.url });
      await sink.setup();
      await sink.apply(batchOf('ref', 0, events));
      const snap = await readClickHouse(ref.client, ref.database);
      await sink.close();
      await ref.cleanup();
      return snap;
    },
    cleanup: () => db.cleanup(),
  };
}

describe.each([
  ['postgres' as const, postgresStore],
  ['clickhouse' as const, clickhouseStore],
])('%s projector process killed with SIGKILL mid-stream', (projection, makeStore) => {
  let topic: TestTopic;
  let dlq: TestTopic;
  let store: Store;
  let child: ChildProjector | undefined;

  beforeAll(async () => {
    topic = await createTestTopic('proj_crash', 4);
    dlq = await createTestTopic('proj_crash_dlq', 1);
    store = await makeStore();
  });

  afterAll(async () => {
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await store.cleanup();
    await topic.cleanup();
    await dlq.cleanup();
  });

  it('given a stream, when the projector is killed several times and restarted, then the projection equals an uninterrupted one', async () => {
    const events = sweep(new TestEvents('crash'));
    await produceEvents(topic.topic, events);
    const env = {
      ...store.env,
      TRACKSTREAM_KAFKA_BROKERS: endpointsFromEnv().kafkaBrokers.join(','),
      TRACKSTREAM_EVENTS_TOPIC: topic.topic,
      TRACKSTREAM_DLQ_TOPIC: dlq.topic,
      TRACKSTREAM_PROJECTOR_GROUP_ID: `crash-${topic.topic}`,
      TRACKSTREAM_PROJECTOR_PORT: '0',
      TRACKSTREAM_PROJECTOR_BATCH_SIZE: '20',
      TRACKSTREAM_PROJECTOR_SESSION_TIMEOUT_MS: '6000',
      TRACKSTREAM_LOG_LEVEL: 'warn',
    };
    const probe = store.sink();
    const applied = async () => {
      try {
        return [...(await probe.loadCheckpoints(topic.topic)).values()].reduce((a, o) => a + Number(o), 0);
      } catch {
        return 0; // tables not created yet
      }
    };

    try {
      const kills: number[] = [];
      for (const fraction of [0.15, 0.35, 0.55, 0.75]) {
        child = spawnProjector(projection, env);
        // Kill once this life has applied up to the fraction, at a random instant a few batches later.
        const deadline = Date.now() + 60_000;
        while ((await applied()) < fraction * events.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
        child.process.kill('SIGKILL');
        expect(await child.exited).toBe('SIGKILL');
        kills.push(await applied());
      }
      // Every kill happened mid-stream: progress between kills, records still to apply at the last one.
      expect(kills[0]).toBeGreaterThan(0);
      expect(kills.every((k, i) => i === 0 || k > kills[i - 1]!)).toBe(true);
      expect(kills[kills.length - 1]).toBeLessThan(events.length);

      child = spawnProjector(projection, env);
      await waitForCatchUp(topic.topic, () => probe.loadCheckpoints(topic.topic), 120_000);
      child.process.kill('SIGTERM');
      await child.exited;
    } finally {
      await probe.close();
    }

    await store.checkCounts();
    expect(await store.snapshot()).toEqual(await store.reference(events));
  });
});
