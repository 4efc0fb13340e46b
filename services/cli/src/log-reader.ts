import type { Kafka } from 'kafkajs';
import { RUNTIME_DEFAULTS } from '@trackstream/projection';
import { CliError, messageOf } from './errors';

export interface RawRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** partition → [from, to): the offsets to read. */
export type Ranges = Map<number, { from: bigint; to: bigint }>;

export interface TopicBounds {
  partitions: number;
  low: Map<number, bigint>;
  high: Map<number, bigint>;
}

export async function topicBounds(kafka: Kafka, topic: string): Promise<TopicBounds> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    return {
      partitions: offsets.length,
      low: new Map(offsets.map((o) => [o.partition, BigInt(o.low)])),
      high: new Map(offsets.map((o) => [o.partition, BigInt(o.high)])),
    };
  } catch (err) {
    throw new CliError('LOG_UNAVAILABLE', `cannot read the offsets of topic ${topic}: ${messageOf(err)}`, { retriable: true, cause: err });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Reads the given offset ranges, each partition in log order, handing over consecutive records of one partition at a
 * time, and returns once every range is read (or `signal` aborts). It reads through a throw-away consumer group
 * whose committed offsets are set to the range starts before it joins, so it never disturbs a live projector's
 * group and never needs a seek racing the first fetch; the group is deleted afterwards.
 */
export async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: Ranges,
  onRecords: (partition: number, records: RawRecord[]) => Promise<void>,
  opts: { groupId: string; concurrency?: number; signal?: AbortSignal; maxBytesPerPartition?: number },
): Promise<void> {
  const pending = new Map<number, { from: bigint; to: bigint }>();
  for (const [p, r] of ranges) if (r.to > r.from) pending.set(p, r);
  if (pending.size === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const bounds = await admin.fetchTopicOffsets(topic);
    // Partitions outside the ranges start at their end, so the group reads nothing there.
    const starts = bounds.map((b) => ({ partition: b.partition, offset: (pending.get(b.partition)?.from ?? BigInt(b.high)).toString() }));
    await admin.setOffsets({ groupId: opts.groupId, topic, partitions: starts });
    const consumer = kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      // The projection runtime's fetch size: a replay reads as the projector does.
      maxBytesPerPartition: opts.maxBytesPerPartition ?? RUNTIME_DEFAULTS.maxBytesPerPartition,
      retry: { retries: 5 },
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => resolve();
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        if (opts.signal?.aborted) return resolve();
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
        consumer
          .run({
            autoCommit: false,
            partitionsConsumedConcurrently: opts.concurrency ?? 2,
            eachBatch: async ({ batch, isRunning, isStale }) => {
              const range = pending.get(batch.partition);
              if (range === undefined || opts.signal?.aborted) return;
              const records: RawRecord[] = [];
              for (const m of batch.messages) {
                const off = BigInt(m.offset);
                if (off < range.from || off >= range.to) continue;
                const headers: Record<string, string> = {};
                for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
                records.push({ partition: batch.partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value, headers });
              }
              if (!isRunning() || isStale()) return;
              if (records.length > 0) {
                try {
                  await onRecords(batch.partition, records);
                } catch (err) {
                  reject(err);
                  return;
                }
                range.from = BigInt(records[records.length - 1]!.offset) + 1n;
              }
              const last = BigInt(batch.lastOffset());
              if (last + 1n > range.from && last + 1n <= range.to) range.from = last + 1n;
              if (range.from >= range.to) {
                pending.delete(batch.partition);
                if (pending.size === 0) resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([opts.groupId]).catch(() => undefined);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
