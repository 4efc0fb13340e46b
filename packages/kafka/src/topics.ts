import type { Kafka } from 'kafkajs';
import { LIMITS } from '@trackstream/events';

export interface EnsureTopicOptions {
  topic: string;
  /** Default 12: the design's events topic. Only used when the topic is created. */
  partitions?: number;
  replicationFactor?: number;
  /** Milliseconds; -1 (default) keeps records forever — the events topic is the system of record. */
  retentionMs?: number;
}

export interface EnsureTopicResult {
  created: boolean;
  partitions: number;
}

/**
 * The largest record batch the topic accepts. One HTTP batch may hold up to 4 MiB of events for a single run,
 * all keyed to one partition and so sent as one record batch; the broker default (1 MiB) would refuse it.
 */
export const TOPIC_MAX_MESSAGE_BYTES = 2 * LIMITS.batchBytes;

/**
 * Creates the topic if it is missing (idempotent, safe to race with another process) and reports its partitions.
 * An existing topic is left as it is: changing partition counts re-keys runs and is an operator's decision.
 */
export async function ensureTopic(kafka: Kafka, opts: EnsureTopicOptions): Promise<EnsureTopicResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const retention = String(opts.retentionMs ?? -1);
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: opts.topic,
          numPartitions: opts.partitions ?? 12,
          replicationFactor: opts.replicationFactor ?? 1,
          configEntries: [
            { name: 'retention.ms', value: retention },
            { name: 'retention.bytes', value: '-1' },
            { name: 'max.message.bytes', value: String(TOPIC_MAX_MESSAGE_BYTES) },
          ],
        },
      ],
    });
    const meta = await admin.fetchTopicMetadata({ topics: [opts.topic] });
    const partitions = meta.topics[0]?.partitions.length ?? 0;
    return { created, partitions };
  } finally {
    await admin.disconnect();
  }
}
