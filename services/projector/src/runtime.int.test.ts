import { PostgresSink, readProjection } from '@trackstream/postgres';
import { createProjectorHttpServer, ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { DLQ_HEADERS } from '@trackstream/projection-core';
import { batchOf, TestEvents } from '@trackstream/projection-core/testing';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';
import { createTestPgSchema, createTestTopic, endpointsFromEnv, type TestPgSchema, type TestTopic } from '@trackstream/testkit';
import type { StoredEvent } from '@trackstream/events';
import type { AddressInfo } from 'node:net';
import { produceEvents, produceRaw, readAll, waitForCatchUp } from '@trackstream/projector/testing';

jest.setTimeout(120_000);

describe('projection runtime over Kafka into Postgres', () => {
  let topic: TestTopic;
  let dlq: TestTopic;
  let db: TestPgSchema;
  let sink: PostgresSink;
  let runtime: ProjectionRuntime | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    topic = await createTestTopic('proj_rt', 4);
    dlq = await createTestTopic('proj_rt_dlq', 1);
    db = await createTestPgSchema('proj_rt');
    sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 3 });
  });

  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
    for (const c of cleanups.splice(0)) await c();
    await sink.close();
    await db.cleanup();
    await topic.cleanup();
    await dlq.cleanup();
  });

  const start = async (metrics: ProjectorMetrics = new ProjectorMetrics(createMetricsRegistry('t'), 'postgres')) => {
    runtime = new ProjectionRuntime({
      brokers: endpointsFromEnv().kafkaBrokers,
      topic: topic.topic,
      dlqTopic: dlq.topic,
      groupId: `g-${topic.topic}`,
      sink,
      logger: noopLogger,
      metrics,
      maxRecordsPerApply: 50,
      partitionsConsumedConcurrently: 2,
      kafkaCommitIntervalMs: 500,
      lagRefreshIntervalMs: 300,
    });
    await runtime.start();
    return runtime;
  };

  /** What the events give when applied straight to a fresh sink, one batch per run: the expected projection. */
  const reference = async (events: StoredEvent[]) => {
    const ref = await createTestPgSchema('proj_ref');
    const refSink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: ref.schema, poolSize: 1 });
    await refSink.setup();
    await refSink.apply(batchOf('ref', 0, events));
    const snap = await readProjection(ref.pool, ref.schema);
    await refSink.close();
    await ref.cleanup();
    return snap;
  };

  it('given a stream produced over four partitions, when projected, then the tables equal the reference and /metrics and /healthz report it', async () => {
    const ev = new TestEvents('vision');
    const events = [...ev.sampleStream('exp-a', 6), ...ev.sampleStream('exp-b', 5)];
    await produceEvents(topic.topic, events);
    const registry = createMetricsRegistry('projector-test');
    const rt = await start(new ProjectorMetrics(registry, 'postgres'));
    await waitForCatchUp(topic.topic, () => sink.loadCheckpoints(topic.topic));

    const snap = await readProjection(db.pool, db.schema);
    expect(snap).toEqual(await reference(events));
    expect(snap.runs).toHaveLength(11);
    expect(snap.param_conflicts).toHaveLength(11);
    expect(snap.latest_metrics).toHaveLength(11 * 4);

    const server = createProjectorHttpServer({ registry, health: () => ({ ok: rt.health().status === 'running', details: rt.health() }) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((r) => setTimeout(r, 700)); // one lag refresh
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/trackstream_projector_events_applied_total\{type="metrics_logged",service="projector-test"\} 22/);
    expect(text).toMatch(/trackstream_projector_consumer_lag\{topic="[^"]+",partition="\d",service="projector-test"\} 0/);
    expect(text).toContain('trackstream_projector_batch_apply_seconds_count');
    expect(text).toContain('trackstream_projector_checkpoint_age_seconds');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { details: { assigned: number[] } }).details.assigned).toEqual([0, 1, 2, 3]);
  });

  it('given the sink checkpoint behind Kafka committed offsets, when the projector starts, then it resumes from the sink checkpoint', async () => {
    const events = new TestEvents().sampleStream('exp-c', 4);
    await produceEvents(topic.topic, events);
    const first = await start();
    await waitForCatchUp(topic.topic, () => sink.loadCheckpoints(topic.topic));
    await new Promise((r) => setTimeout(r, 800)); // let the advisory commit land in Kafka
    await first.stop();
    runtime = undefined;
    const expected = await readProjection(db.pool, db.schema);
    // The projection is rebuilt (tables and checkpoints dropped) while Kafka still remembers the old offsets.
    await db.pool.query(`DROP SCHEMA "${db.schema}" CASCADE`);
    await db.pool.query(`CREATE SCHEMA "${db.schema}"`);
    await start();
    await waitForCatchUp(topic.topic, () => sink.loadCheckpoints(topic.topic));
    expect(await readProjection(db.pool, db.schema)).toEqual(expected);
  });

  it('given an undecodable record and one Postgres cannot store, when projected, then both land in the DLQ with reasons and later records are projected', async () => {
    const ev = new TestEvents();
    const before = ev.sampleStream('exp-p', 1);
    const nul = ev.paramsLogged('exp-p', 'exp-p-run-0', { bad: 'a\u0000b' });
    const after = [ev.paramsLogged('exp-p', 'exp-p-run-0', { late: 'yes' }), ev.tagsSet('exp-p', 'exp-p-run-0', { after: 'poison' })];
    await produceEvents(topic.topic, before);
    await produceRaw(topic.topic, [{ key: 'exp-p-run-0', value: Buffer.from('not avro at all'), headers: { origin: 'fuzzer' } }]);
    await produceEvents(topic.topic, [nul, ...after]);
    await start();
    await waitForCatchUp(topic.topic, () => sink.loadCheckpoints(topic.topic));

    const snap = await readProjection(db.pool, db.schema);
    expect(snap.params).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'late', value: 'yes' })]));
    expect(snap.params.find((p) => p.key === 'bad')).toBeUndefined();
    expect(snap.tags).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'after', value: 'poison' })]));

    const dead = await readAll(dlq.topic, 2);
    expect(dead.map((d) => d.headers[DLQ_HEADERS.reasonCode])).toEqual(['EVENT_UNDECODABLE', 'PG_22021']);
    expect(dead[0]!.value!.toString()).toBe('not avro at all');
    expect(dead[0]!.headers.origin).toBe('fuzzer');
    expect(dead[0]!.headers[DLQ_HEADERS.topic]).toBe(topic.topic);
    expect(dead[1]!.headers[DLQ_HEADERS.offset]).toBe(String(Number(dead[0]!.headers[DLQ_HEADERS.offset]) + 1));
    expect(dead[1]!.headers[DLQ_HEADERS.reasonMessage]).toMatch(/0x00/);
  });

  it('given two members in one group, when a stream is projected, then together they project it exactly once', async () => {
    const ev = new TestEvents();
    const events = Array.from({ length: 8 }, (_, i) => ev.sampleStream(`exp-m${i}`, 3)).flat();
    const second = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 2 });
    const other = new ProjectionRuntime({
      brokers: endpointsFromEnv().kafkaBrokers,
      topic: topic.topic,
      dlqTopic: dlq.topic,
      groupId: `g-${topic.topic}`,
      sink: second,
      logger: noopLogger,
      metrics: new ProjectorMetrics(createMetricsRegistry('t2'), 'postgres'),
      maxRecordsPerApply: 20,
    });
    cleanups.push(async () => {
      await other.stop();
      await second.close();
    });
    await start();
    await other.start();
    await produceEvents(topic.topic, events);
    await waitForCatchUp(topic.topic, () => sink.loadCheckpoints(topic.topic));
    expect(await readProjection(db.pool, db.schema)).toEqual(await reference(events));
  });
});
