import { ClickHouseSink, readProjection } from '@trackstream/clickhouse';
import { batchOf, TestEvents } from '@trackstream/projection';
import { createTestClickHouseDatabase, createTestTopic, endpointsFromEnv, type TestClickHouseDatabase, type TestTopic } from '@trackstream/testkit';
import type { StoredEvent } from '@trackstream/events';
import { spawnProjector, type ChildProjector } from './child-projector';
import { produceEvents, waitForCatchUp } from './test-helpers';

jest.setTimeout(240_000);

/** 60 runs × (lifecycle + 30 metric events of 50 points): ~2,900 events, 90,000 points over 4 partitions. */
function sweep(ev: TestEvents): StoredEvent[] {
  const out: StoredEvent[] = [ev.experimentCreated('exp-crash', { name: 'crash sweep' })];
  for (let r = 0; r < 60; r++) {
    const run = `crash-run-${r}`;
    out.push(ev.runStarted('exp-crash', run), ev.paramsLogged('exp-crash', run, { lr: String(r / 100) }));
    for (let b = 0; b < 30; b++) {
      out.push(
        ev.metricsLogged(
          'exp-crash',
          run,
          Array.from({ length: 50 }, (_, i) => ({ key: i % 2 === 0 ? 'loss' : 'acc', value: i === 7 ? NaN : Math.sin(r + b * 50 + i), step: b * 50 + i })),
        ),
      );
    }
    out.push(ev.tagsSet('exp-crash', run, { sweep: 'crash' }), ev.runCompleted('exp-crash', run));
  }
  return out;
}

// The ClickHouse projector killed with SIGKILL at random instants (between its data inserts and its checkpoint,
// among others): after restarts, the tables answer exactly what an uninterrupted projection answers.
describe('ClickHouse projector process killed with SIGKILL mid-stream', () => {
  let topic: TestTopic;
  let dlq: TestTopic;
  let ch: TestClickHouseDatabase;
  let child: ChildProjector | undefined;

  beforeAll(async () => {
    topic = await createTestTopic('ch_crash', 4);
    dlq = await createTestTopic('ch_crash_dlq', 1);
    ch = await createTestClickHouseDatabase('ch_crash');
  });

  afterAll(async () => {
    if (child && child.process.exitCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await ch.cleanup();
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
      TRACKSTREAM_CLICKHOUSE_URL: ch.url,
      TRACKSTREAM_PROJECTOR_TOPIC: topic.topic,
      TRACKSTREAM_PROJECTOR_DLQ_TOPIC: dlq.topic,
      TRACKSTREAM_PROJECTOR_GROUP_ID: `crash-${topic.topic}`,
      TRACKSTREAM_PROJECTOR_PORT: '0',
      TRACKSTREAM_PROJECTOR_BATCH_SIZE: '20',
      TRACKSTREAM_PROJECTOR_SESSION_TIMEOUT_MS: '6000',
      TRACKSTREAM_LOG_LEVEL: 'warn',
    };
    const probe = new ClickHouseSink({ url: ch.url, database: ch.database });
    const applied = async () => {
      try {
        return [...(await probe.loadCheckpoints(topic.topic)).values()].reduce((a, o) => a + Number(o), 0);
      } catch {
        return 0; // tables not created yet
      }
    };

    const kills: number[] = [];
    for (const fraction of [0.15, 0.35, 0.55, 0.75]) {
      child = spawnProjector('clickhouse', env);
      const deadline = Date.now() + 60_000;
      while ((await applied()) < fraction * events.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
      child.process.kill('SIGKILL');
      expect(await child.exited).toBe('SIGKILL');
      kills.push(await applied());
    }
    expect(kills[0]).toBeGreaterThan(0);
    expect(kills.every((k, i) => i === 0 || k > kills[i - 1]!)).toBe(true);
    expect(kills[kills.length - 1]).toBeLessThan(events.length);

    child = spawnProjector('clickhouse', env);
    await waitForCatchUp(topic.topic, () => probe.loadCheckpoints(topic.topic), 120_000);
    child.process.kill('SIGTERM');
    await child.exited;
    await probe.close();

    const snap = await readProjection(ch.client, ch.database);
    // Nothing doubled, nothing lost.
    expect(snap.events).toHaveLength(events.length);
    expect(snap.points).toHaveLength(60 * 30 * 50);
    expect(snap.summaries).toHaveLength(120);
    expect(snap.summaries.reduce((a, s) => a + Number(s.count), 0)).toBe(60 * 30 * 50);
    expect(snap.summaries.reduce((a, s) => a + Number(s.nan_count), 0)).toBe(60 * 30);

    const ref = await createTestClickHouseDatabase('ch_crash_ref');
    try {
      const refSink = new ClickHouseSink({ url: ref.url, database: ref.database });
      await refSink.setup();
      await refSink.apply(batchOf('ref', 0, events));
      await refSink.close();
      expect(snap).toEqual(await readProjection(ref.client, ref.database));
    } finally {
      await ref.cleanup();
    }
  });
});
