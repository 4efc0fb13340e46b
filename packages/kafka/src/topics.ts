import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';
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
  /** Settings of an existing topic that had to be brought in line (retention, record batch size). */
  updated: string[];
}

/**
 * The largest record batch the topic accepts. One HTTP batch may hold up to 4 MiB of events for a single run,
 * all keyed to one partition and so sent as one record batch; the broker default (1 MiB) would refuse it.
 */
export const TOPIC_MAX_MESSAGE_BYTES = 2 * LIMITS.batchBytes;

/**
 * Creates the topic if it is missing (idempotent, safe to race with another process) and reports its partitions.
 * The partition count of an existing topic is left alone (changing it re-keys runs: an operator's decision), but
 * the settings the contract depends on — unlimited retention, room for a full batch — are enforced, keeping any
 * other per-topic overrides.
 */
export async function ensureTopic(kafka: Kafka, opts: EnsureTopicOptions): Promise<EnsureTopicResult> {
  const required: Record<string, string> = {
    'retention.ms': String(opts.retentionMs ?? -1),
    'retention.bytes': '-1',
    'max.message.bytes': String(TOPIC_MAX_MESSAGE_BYTES),
  };
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: opts.topic,
          numPartitions: opts.partitions ?? 12,
          replicationFactor: opts.replicationFactor ?? 1,
          configEntries: Object.entries(required).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    const updated = created ? [] : await enforceConfig(admin, opts.topic, required);
    const meta = await admin.fetchTopicMetadata({ topics: [opts.topic] });
    const partitions = meta.topics[0]?.partitions.length ?? 0;
    return { created, partitions, updated };
  } finally {
    await admin.disconnect();
  }
}

async function enforceConfig(admin: Admin, topic: string, required: Record<string, string>): Promise<string[]> {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
  const entries = resources[0]?.configEntries ?? [];
  const current = new Map(entries.map((e) => [e.configName, e.configValue]));
  const wrong = Object.keys(required).filter((k) => current.get(k) !== required[k]);
  if (wrong.length === 0) return [];
  // AlterConfigs replaces the topic's whole set of overrides, so the existing ones are sent along.
  const overrides = new Map(entries.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG).map((e) => [e.configName, e.configValue]));
  for (const [k, v] of Object.entries(required)) overrides.set(k, v);
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [...overrides].map(([name, value]) => ({ name, value })) }],
  });
  return wrong;
}
