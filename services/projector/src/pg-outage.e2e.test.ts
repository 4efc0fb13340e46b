import { PostgresSink, readProjection } from '@trackstream/postgres';
import { ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { batchOf, TestEvents } from '@trackstream/projection-core/testing';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';
import { createTestPgSchema, createTestTopic, endpointsFromEnv, startDedicatedServers, type DedicatedServers, type TestTopic } from '@trackstream/testkit';
import { Pool } from 'pg';
import { produceEvents, waitForCatchUp } from '@trackstream/projector/testing';

jest.setTimeout(240_000);

// Stops Postgres, so it runs against a private server: the shared one stays up for everyone else.
describe('projector while Postgres is down', () => {
  let servers: DedicatedServers;
  let topic: TestTopic;
  let dlq: TestTopic;

  beforeAll(async () => {
    servers = await startDedicatedServers(['postgres']);
    topic = await createTestTopic('proj_pgdown', 3);
    dlq = await createTestTopic('proj_pgdown_dlq', 1);
  });

  afterAll(async () => {
    await topic?.cleanup();
    await dlq?.cleanup();
    await servers?.cleanup();
  });

  it('given a running projector, when Postgres stops for a while, then it pauses, retries, skips nothing and catches up', async () => {
    const pgUrl = servers.env.TRACKSTREAM_PG_URL!;
    const sink = new PostgresSink({ connectionString: pgUrl, schema: 'public', poolSize: 2 });
    const registry = createMetricsRegistry('pgdown');
    const runtime = new ProjectionRuntime({
      brokers: endpointsFromEnv().kafkaBrokers,
      topic: topic.topic,
      dlqTopic: dlq.topic,
      groupId: `g-${topic.topic}`,
      sink,
      logger: noopLogger,
      metrics: new ProjectorMetrics(registry, 'postgres'),
      maxRecordsPerApply: 25,
      backoff: { initialMs: 100, maxMs: 1_000 },
    });
    const ev = new TestEvents('outage');
    const first = ev.sampleStream('exp-1', 4);
    const second = [...ev.sampleStream('exp-2', 5), ...ev.sampleStream('exp-1b', 3)];
    try {
      await runtime.start();
      await produceEvents(topic.topic, first);
      await waitForCatchUp(topic.topic, () => sink.loadCheckpoints(topic.topic));

      await servers.stop('postgres');
      await produceEvents(topic.topic, second);
      await new Promise((r) => setTimeout(r, 4_000));
      const retries = (await registry.getSingleMetric('trackstream_projector_retries_total')!.get()).values.reduce((a, v) => a + v.value, 0);
      expect(retries).toBeGreaterThan(0);
      expect(runtime.health().status).toBe('running');
      expect(await registry.getSingleMetricAsString('trackstream_projector_dlq_records_total')).not.toMatch(/dlq_records_total\{[^}]*\} [1-9]/);

      await servers.start('postgres');
      await waitForCatchUp(topic.topic, () => sink.loadCheckpoints(topic.topic), 90_000);
    } finally {
      await runtime.stop();
      await sink.close();
    }

    const pool = new Pool({ connectionString: pgUrl, max: 1 });
    const snap = await readProjection(pool, 'public');
    await pool.end();
    const ref = await createTestPgSchema('proj_pgdown_ref');
    const refSink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: ref.schema, poolSize: 1 });
    await refSink.setup();
    await refSink.apply(batchOf('ref', 0, [...first, ...second]));
    const expected = await readProjection(ref.pool, ref.schema);
    await refSink.close();
    await ref.cleanup();
    expect(snap.runs).toHaveLength(12);
    expect(snap).toEqual(expected);
  });
});
