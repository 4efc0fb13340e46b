import type { Admin, Kafka } from 'kafkajs';

export interface KafkaProbeOptions {
  /** The topic whose metadata proves the cluster answers for what we need. */
  topic: string;
  timeoutMs?: number;
}

export interface KafkaProbe {
  /** Resolves when Kafka answers a metadata request for the topic within the timeout; rejects otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** A reachability check for readiness endpoints. Keeps one admin connection; a failed check starts afresh next time. */
export function createKafkaProbe(kafka: Kafka, opts: KafkaProbeOptions): KafkaProbe {
  const timeoutMs = opts.timeoutMs ?? 2000;
  let admin: Admin | null = null;

  const drop = () => {
    const a = admin;
    admin = null;
    if (a) void a.disconnect().catch(() => undefined);
  };

  const attempt = async () => {
    if (!admin) {
      admin = kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
    }
    const meta = await admin.fetchTopicMetadata({ topics: [opts.topic] });
    if (!meta.topics[0] || meta.topics[0].partitions.length === 0) throw new Error(`topic ${opts.topic} has no partitions`);
  };

  return {
    async check() {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          attempt(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } catch (err) {
        drop();
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const a = admin;
      admin = null;
      if (a) await a.disconnect().catch(() => undefined);
    },
  };
}
