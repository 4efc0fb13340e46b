import {
  createEventCodec, encodeEvent, eventCatalogue, eventKey, EVENT_TYPES, loadCatalogue, schemaFingerprint, type AvroSchema, type StoredEvent,
} from '@trackstream/events';
import { DLQ_HEADERS } from '@trackstream/projection-core';
import { ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { batchOf, TestEvents } from '@trackstream/projection-core/testing';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';
import {
  createTestClickHouseDatabase,
  createTestTopic,
  endpointsFromEnv,
  testKafka,
  type TestClickHouseDatabase,
  type TestTopic,
} from '@trackstream/testkit';
import { ClickHouseSink } from './sink';
import { readProjection } from './snapshot';
import { TABLES } from './schema';
import { qualified, sql } from './sql';
import { everyEventType } from './testing/fixtures';

jest.setTimeout(120_000);

// The ClickHouse sink under the real projection runtime: Avro records from Kafka, several partitions, an
// undecodable record on the way, and a second consumer group replaying the topic over the same tables.
describe('projection runtime over Kafka into ClickHouse', () => {
  let topic: TestTopic;
  let dlq: TestTopic;
  let ch: TestClickHouseDatabase;
  const runtimes: ProjectionRuntime[] = [];
  const sinks: ClickHouseSink[] = [];

  beforeEach(async () => {
    topic = await createTestTopic('ch_rt', 3);
    dlq = await createTestTopic('ch_rt_dlq', 1);
    ch = await createTestClickHouseDatabase('ch_rt');
  });
  afterEach(async () => {
    for (const r of runtimes.splice(0)) await r.stop();
    for (const s of sinks.splice(0)) await s.close();
    await ch.cleanup();
    await topic.cleanup();
    await dlq.cleanup();
  });

  async function produce(messages: { key: string; value: Buffer }[]): Promise<void> {
    const producer = testKafka('ch-rt-producer').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic: topic.topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
  }

  async function startRuntime(groupId: string): Promise<ClickHouseSink> {
    const sink = new ClickHouseSink({ url: ch.url, database: ch.database });
    sinks.push(sink);
    const runtime = new ProjectionRuntime({
      brokers: endpointsFromEnv().kafkaBrokers,
      topic: topic.topic,
      dlqTopic: dlq.topic,
      groupId,
      sink,
      logger: noopLogger,
      metrics: new ProjectorMetrics(createMetricsRegistry(groupId), 'clickhouse'),
      maxRecordsPerApply: 40,
      partitionsConsumedConcurrently: 3,
    });
    runtimes.push(runtime);
    await runtime.start();
    return sink;
  }

  async function waitForCheckpoints(sink: ClickHouseSink, expected: Map<number, string>): Promise<void> {
    const deadline = Date.now() + 60_000;
    let last = new Map<number, string>();
    while (Date.now() < deadline) {
      last = await sink.loadCheckpoints(topic.topic);
      if ([...expected].every(([p, o]) => BigInt(last.get(p) ?? '0') >= BigInt(o))) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no catch-up: checkpoints ${JSON.stringify([...last])}, expected ${JSON.stringify([...expected])}`);
  }

  async function highWatermarks(): Promise<Map<number, string>> {
    const admin = testKafka('ch-rt-admin').admin();
    await admin.connect();
    try {
      return new Map((await admin.fetchTopicOffsets(topic.topic)).map((p) => [p.partition, p.high]));
    } finally {
      await admin.disconnect();
    }
  }

  it('projects every event exactly as a direct apply would, sends the undecodable record to the DLQ, and a replay changes nothing', async () => {
    const ev = new TestEvents('vision');
    const events: StoredEvent[] = [
      ...everyEventType('run-a'),
      ...everyEventType('run-b'),
      ...ev.sampleStream('exp-x', 4),
    ];
    const messages = events.map((e) => ({ key: eventKey(e), value: encodeEvent(e) }));
    messages.splice(5, 0, { key: 'run-a', value: Buffer.from('not avro') });
    await produce(messages);

    const sink = await startRuntime(`g1-${topic.topic}`);
    await waitForCheckpoints(sink, await highWatermarks());

    // The reference: the same events applied straight to a fresh database.
    const ref = await createTestClickHouseDatabase('ch_rt_ref');
    try {
      const refSink = new ClickHouseSink({ url: ref.url, database: ref.database });
      await refSink.setup();
      await refSink.apply(batchOf('ref', 0, events));
      await refSink.close();
      const expected = await readProjection(ref.client, ref.database);
      const projected = await readProjection(ch.client, ch.database);
      expect(projected).toEqual(expected);
      expect(new Set(projected.events.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
      expect(projected.events).toHaveLength(events.length);

      const dlqCount = await dlqMessages();
      expect(dlqCount).toBe(1);

      // A second group replays the whole topic into the same tables (no checkpoint: it starts from the beginning),
      // so every row is written again; the DLQ receiving the bad record a second time shows the replay ran.
      await ch.client.command({ query: sql`TRUNCATE TABLE ${qualified(ch.database, TABLES.checkpoints)}`.text });
      const replay = await startRuntime(`g2-${topic.topic}`);
      await waitForCheckpoints(replay, await highWatermarks());
      expect(await dlqMessages()).toBe(2);
      expect(await readProjection(ch.client, ch.database)).toEqual(expected);
    } finally {
      await ref.cleanup();
    }
  });

  it('given a record of an event type newer than its schema, then it goes to the DLQ with the reason and the records after it are projected', async () => {
    // A producer one schema version ahead (a test-local next version with one more payload branch).
    const released = eventCatalogue();
    const next = structuredClone(released.latest.schema) as { fields: { name: string; type: unknown[] }[] };
    next.fields.find((f) => f.name === 'payload')!.type.push({ type: 'record', name: 'RunArchived', fields: [{ name: 'reason', type: 'string' }] });
    const ahead = loadCatalogue({ topic: released.topic, versions: [...released.versions, { version: released.latest.version + 1, file: 'next.avsc', fingerprint: schemaFingerprint(next as unknown as AvroSchema), schema: next as unknown as AvroSchema }] });
    const ev = new TestEvents('vision');
    const [before, after] = [ev.noteAdded('exp', 'run-n', '00000000-0000-4000-8000-0000000000f1', 'before'), ev.runStarred('exp', 'run-n', true)];
    const archived = { ...ev.runPinned('exp', 'run-n', true), type: 'run_archived', payload: { reason: 'old' } } as unknown as StoredEvent;
    const newer = createEventCodec(ahead, { writerVersion: released.latest.version + 1 }).encode(archived);
    await produce([{ key: 'run-n', value: encodeEvent(before) }, { key: 'run-n', value: newer }, { key: 'run-n', value: encodeEvent(after) }]);

    const sink = await startRuntime(`g3-${topic.topic}`);
    await waitForCheckpoints(sink, await highWatermarks());
    expect((await readProjection(ch.client, ch.database)).events.map((e) => e.type).sort()).toEqual(['note_added', 'run_starred']);
    const consumer = testKafka('ch-rt-dlq-reader').consumer({ groupId: `dlq-${topic.topic}` });
    await consumer.connect();
    await consumer.subscribe({ topic: dlq.topic, fromBeginning: true });
    const headers = await new Promise<Record<string, string>>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]))) });
    });
    await consumer.disconnect();
    expect(headers[DLQ_HEADERS.reasonCode]).toBe('EVENT_UNDECODABLE');
    // This projector's catalogue does not hold the producer's newer schema at all: the record names its fingerprint.
    expect(headers[DLQ_HEADERS.reasonMessage]).toBe(`unknown writer schema fingerprint ${ahead.latest.fingerprint}: not in the catalogue of ${released.topic}`);
  });

  async function dlqMessages(): Promise<number> {
    const admin = testKafka('ch-rt-dlq-admin').admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(dlq.topic);
      return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }
});
