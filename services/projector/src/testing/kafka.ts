import { encodeEvent, eventKey, type StoredEvent } from '@trackstream/events';
import { testKafka } from '@trackstream/testkit';
import type { Kafka, Message } from 'kafkajs';

/** Produces events as the gateway would (key = run or experiment id, Avro value), in order, in chunks. */
export async function produceEvents(topic: string, events: StoredEvent[], kafka: Kafka = testKafka('projector-test-producer')): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: events.slice(i, i + 500).map((e) => ({ key: eventKey(e), value: encodeEvent(e) })) });
    }
  } finally {
    await producer.disconnect();
  }
}

export async function produceRaw(topic: string, messages: Message[], kafka: Kafka = testKafka('projector-test-producer')): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** partition → high watermark of `topic`. */
export async function highWatermarks(topic: string, kafka: Kafka = testKafka('projector-test-admin')): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
  } finally {
    await admin.disconnect();
  }
}

/** Waits until `checkpoints()` covers every partition's high watermark. */
export async function waitForCatchUp(
  topic: string,
  checkpoints: () => Promise<Map<number, string>>,
  timeoutMs = 60_000,
  kafka?: Kafka,
): Promise<void> {
  const hw = await highWatermarks(topic, kafka);
  const deadline = Date.now() + timeoutMs;
  let last = new Map<number, string>();
  while (Date.now() < deadline) {
    try {
      last = await checkpoints();
      if ([...hw].every(([p, high]) => high === '0' || BigInt(last.get(p) ?? '0') >= BigInt(high))) return;
    } catch {
      // the store may be down on purpose (fault tests): keep polling
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`projection did not catch up within ${timeoutMs} ms: high watermarks ${JSON.stringify([...hw])}, checkpoints ${JSON.stringify([...last])}`);
}

export async function readAll(topic: string, expected: number, kafka: Kafka = testKafka('projector-test-reader'), timeoutMs = 30_000) {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}` });
  const out: { key: Buffer | null; value: Buffer | null; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      out.push({ key: message.key, value: message.value, headers });
      if (out.length >= expected) done();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return out;
}
