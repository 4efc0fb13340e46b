import type { Kafka } from 'kafkajs';

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
}

/**
 * Every record of a topic from the beginning up to the end offsets seen at the call, in partition then offset
 * order. For audits, exports and tests; it uses a throw-away consumer group and deletes it afterwards.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, opts: { timeoutMs?: number; groupId?: string } = {}): Promise<TopicRecord[]> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const groupId = opts.groupId ?? `trackstream-read-${topic}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const remaining = new Map<number, bigint>();
    for (const p of ends) if (BigInt(p.high) > BigInt(p.low)) remaining.set(p.partition, BigInt(p.high));
    const records: TopicRecord[] = [];
    if (remaining.size === 0) return records;

    const consumer = kafka.consumer({ groupId, retry: { retries: 3 } });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`reading ${topic}: ${records.length} records read, partitions ${[...remaining.keys()].join(',')} not finished within ${timeoutMs} ms`)),
          timeoutMs,
        );
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const end = remaining.get(partition);
              if (end === undefined || BigInt(message.offset) >= end) return;
              records.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0) });
              if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch((e: unknown) => {
            clearTimeout(timer);
            reject(e);
          });
      });
    } finally {
      await consumer.disconnect();
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    await admin.disconnect();
  }
}

/** End offset (next offset to be written) of every partition, as partition → decimal string. */
export async function topicEndOffsets(kafka: Kafka, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    return Object.fromEntries(ends.map((p) => [p.partition, p.high]));
  } finally {
    await admin.disconnect();
  }
}
