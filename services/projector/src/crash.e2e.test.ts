import { PostgresSink, readProjection } from '@trackstream/postgres';
import { batchOf, TestEvents } from '@trackstream/projection';
import { createTestPgSchema, createTestTopic, endpointsFromEnv, type TestPgSchema, type TestTopic } from '@trackstream/testkit';
import type { StoredEvent } from '@trackstream/events';
import { spawnProjector, type ChildProjector } from './child-projector';
import { produceEvents, waitForCatchUp } from './test-helpers';

jest.setTimeout(240_000);

/** 60 runs × (lifecycle + 30 metric events of 50 points): ~2,900 events, 90,000 points over 4 partitions. */
function sweep(ev: TestEvents): StoredEvent[] {
  const out: StoredEvent[] = [ev.experimentCreated('exp-crash', { name: 'crash sweep' })];
  for (let r = 0; r < 60; r++) {
    const run = `crash-run-${r}`;
    out.push(ev.runStarted('exp-crash', run), ev.paramsLogged('exp-crash', run, { lr: String(r / 100), depth: String(r % 5) }));
    for (let b = 0; b < 30; b++) {
      out.push(
        ev.metricsLogged(
          'exp-crash',
          run,
          Array.from({ length: 50 }, (_, i) => ({ key: i % 2 === 0 ? 'loss' : 'acc', value: Math.sin(r + b * 50 + i), step: b * 50 + i })),
        ),
      );
    }
    out.push(ev.tagsSet('exp-crash', run, { sweep: 'crash' }), ev.paramsLogged('exp-crash', run, { lr: 'conflict' }), ev.runCompleted('exp-crash', run));
  }
  return out;
}

describe('projector process killed with SIGKILL mid-stream', () => {
  let topic: TestTopic;
  let dlq: TestTopic;
  let db: TestPgSchema;
  let child: ChildProjector | undefined;

  beforeAll(async () => {
    topic = await createTestTopic('proj_crash', 4);
    dlq = await createTestTopic('proj_crash_dlq', 1);
    db = await createTestPgSchema('proj_crash');
  });

  afterAll(async () => {
    if (child && child.process.exitCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await db.cleanup();
    await topic.cleanup();
    await dlq.cleanup();
  });

  it('given a stream, when the projector is killed several times and restarted, then the projection equals an uninterrupted one', async () => {
    const events = sweep(new TestEvents('crash'));
    await produceEvents(topic.topic, events);
    const { kafkaBrokers, pgUrl } = endpointsFromEnv();
    const env = {
      TRACKSTREAM_KAFKA_BROKERS: kafkaBrokers.join(','),
      TRACKSTREAM_PG_URL: pgUrl,
      TRACKSTREAM_PG_SCHEMA: db.schema,
      TRACKSTREAM_PROJECTOR_TOPIC: topic.topic,
      TRACKSTREAM_PROJECTOR_DLQ_TOPIC: dlq.topic,
      TRACKSTREAM_PROJECTOR_GROUP_ID: `crash-${topic.topic}`,
      TRACKSTREAM_PROJECTOR_PORT: '0',
      TRACKSTREAM_PROJECTOR_BATCH_SIZE: '20',
      TRACKSTREAM_PROJECTOR_SESSION_TIMEOUT_MS: '6000',
      TRACKSTREAM_LOG_LEVEL: 'warn',
    };
    const probe = new PostgresSink({ connectionString: pgUrl, schema: db.schema, poolSize: 1 });
    const applied = async () => {
      try {
        return [...(await probe.loadCheckpoints(topic.topic)).values()].reduce((a, o) => a + Number(o), 0);
      } catch {
        return 0; // tables not created yet
      }
    };

    const kills: number[] = [];
    for (const fraction of [0.15, 0.35, 0.55, 0.75]) {
      child = spawnProjector('postgres', env);
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

    child = spawnProjector('postgres', env);
    await waitForCatchUp(topic.topic, () => probe.loadCheckpoints(topic.topic), 120_000);
    child.process.kill('SIGTERM');
    await child.exited;
    await probe.close();

    const snap = await readProjection(db.pool, db.schema);
    // Nothing doubled, nothing lost: every point counted exactly once, every conflict recorded once.
    expect(snap.runs).toHaveLength(60);
    expect(snap.runs.every((r) => r.status === 'FINISHED')).toBe(true);
    expect(snap.latest_metrics).toHaveLength(120);
    expect(snap.latest_metrics.reduce((a, m) => a + Number(m.count), 0)).toBe(60 * 30 * 50);
    expect(snap.latest_metrics.every((m) => m.step === 1498 || m.step === 1499)).toBe(true);
    expect(snap.param_conflicts).toHaveLength(60);
    expect(snap.params.filter((p) => p.key === 'lr').map((p) => p.value)).not.toContain('conflict');

    // The uninterrupted projection of the same log: the stream applied in one go to a fresh schema.
    const ref = await createTestPgSchema('proj_crash_ref');
    const refSink = new PostgresSink({ connectionString: pgUrl, schema: ref.schema, poolSize: 1 });
    await refSink.setup();
    await refSink.apply(batchOf('ref', 0, events));
    const expected = await readProjection(ref.pool, ref.schema);
    await refSink.close();
    await ref.cleanup();
    expect(snap).toEqual(expected);
  });
});
