import { createTestTopic, testKafka, uniqueName, type TestTopic } from '@trackstream/testkit';

describe('Kafka smoke: produce, consume in a group, commit offsets', () => {
  let topic: TestTopic;
  beforeAll(async () => {
    topic = await createTestTopic('smoke_kafka', 3);
  });
  afterAll(async () => {
    await topic.cleanup();
  });

  it('delivers every produced message to a consumer group and commits its offsets', async () => {
    const kafka = testKafka();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `run-${i % 5}`, value: `message-${i}` }));
    await producer.send({ topic: topic.topic, acks: -1, messages: sent });
    await producer.disconnect();

    const groupId = uniqueName('smoke_group');
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic: topic.topic, fromBeginning: true });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${sent.length} messages arrived`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value!.toString());
          if (received.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect(); // commits the offsets it consumed

    expect(received.sort()).toEqual(sent.map((m) => m.value).sort());

    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic.topic] });
    const ends = await admin.fetchTopicOffsets(topic.topic);
    await admin.disconnect();
    const byPartition = (xs: { partition: number; offset: string }[]) =>
      Object.fromEntries(xs.map((x) => [x.partition, x.offset]));
    expect(byPartition(committed!.partitions)).toEqual(byPartition(ends));
    expect(ends.reduce((n, p) => n + Number(p.offset), 0)).toBe(sent.length);
  });

  it('keeps per-key order within a partition', async () => {
    const kafka = testKafka();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: topic.topic, acks: -1, messages: Array.from({ length: 50 }, (_, i) => ({ key: 'one-run', value: String(i) })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('smoke_order') });
    await consumer.connect();
    await consumer.subscribe({ topic: topic.topic, fromBeginning: true });
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() === 'one-run') seen.push(Number(message.value!.toString()));
          if (seen.length === 50) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
