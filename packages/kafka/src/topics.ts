import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';
import { EVENTS_TOPIC_PARTITIONS, LIMITS } from '@trackstream/events';

export interface EnsureTopicOptions {
  topic: string;
  /** Default EVENTS_TOPIC_PARTITIONS (12, the design's events topic). Only used when the topic is created. */
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
    let created: boolean;
    try {
      created = await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: opts.topic,
            numPartitions: opts.partitions ?? EVENTS_TOPIC_PARTITIONS,
            replicationFactor: opts.replicationFactor ?? 1,
            configEntries: Object.entries(required).map(([name, value]) => ({ name, value })),
          },
        ],
      });
    } catch (err) {
      // The topic was created, but a fresh KRaft broker can answer the wait for its leaders with
      // UNKNOWN_TOPIC_OR_PARTITION for a moment, which kafkajs does not retry (it does LEADER_NOT_AVAILABLE): the
      // first `npm start` on a new machine failed the gateway that way. The metadata wait below covers it.
      if (!isNotKnownYet(err)) throw err;
      created = true;
    }
    const updated = created ? [] : await enforceConfig(admin, opts.topic, required);
    const partitions = await partitionsOnceKnown(admin, opts.topic);
    return { created, partitions, updated };
  } finally {
    await admin.disconnect();
  }
}

/** The topic's partition count once the broker knows the topic and every partition has a leader (≤ ~10 s). */
async function partitionsOnceKnown(admin: Admin, topic: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = meta.topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return partitions.length;
      if (attempt >= 40) return partitions.length;
    } catch (err) {
      if (!isNotKnownYet(err) || attempt >= 40) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE, on the error or a cause (kafkajs wraps retried errors). */
export function isNotKnownYet(err: unknown): boolean {
  for (let e = err as { type?: unknown; cause?: unknown } | null | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION' || e.type === 'LEADER_NOT_AVAILABLE') return true;
  }
  return false;
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
