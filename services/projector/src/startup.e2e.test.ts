import { PostgresSink, readProjection } from '@trackstream/postgres';
import { TestEvents } from '@trackstream/projection-core/testing';
import { createTestPgSchema, deleteTestTopics, endpointsFromEnv, freePort, testKafka, uniqueName, type TestPgSchema } from '@trackstream/testkit';
import { spawnProjector, type ChildProjector } from './child-projector';
import { produceEvents, waitForCatchUp } from '@trackstream/projector/testing';

jest.setTimeout(120_000);

describe('projector process started before its topic exists', () => {
  let db: TestPgSchema;
  let child: ChildProjector | undefined;
  const topic = uniqueName('proj_late_topic');
  const dlq = uniqueName('proj_late_dlq');

  beforeAll(async () => {
    db = await createTestPgSchema('proj_late');
  });

  afterAll(async () => {
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGTERM');
      await child.exited;
    }
    const admin = testKafka().admin();
    await admin.connect();
    const existing = await admin.listTopics();
    await admin.disconnect();
    await deleteTestTopics(testKafka(), [topic, dlq].filter((t) => existing.includes(t)));
    await db.cleanup();
  });

  it('given no events topic, when the projector starts, then it does not create it, stays up, and projects once the topic appears', async () => {
    const port = await freePort();
    child = spawnProjector('postgres', {
      TRACKSTREAM_KAFKA_BROKERS: endpointsFromEnv().kafkaBrokers.join(','),
      TRACKSTREAM_PG_URL: endpointsFromEnv().pgUrl,
      TRACKSTREAM_PG_SCHEMA: db.schema,
      TRACKSTREAM_EVENTS_TOPIC: topic,
      TRACKSTREAM_DLQ_TOPIC: dlq,
      TRACKSTREAM_PROJECTOR_GROUP_ID: `g-${topic}`,
      TRACKSTREAM_PROJECTOR_PORT: String(port),
      TRACKSTREAM_LOG_LEVEL: 'error',
    });
    await new Promise((r) => setTimeout(r, 4_000));
    expect(child.process.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      expect(topics).not.toContain(topic);
      expect(topics).toContain(dlq);
      await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    await produceEvents(topic, new TestEvents().sampleStream('exp-late', 2));
    const sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 1 });
    try {
      await waitForCatchUp(topic, () => sink.loadCheckpoints(topic), 90_000);
    } finally {
      await sink.close();
    }
    expect((await readProjection(db.pool, db.schema)).runs).toHaveLength(2);
  });
});
