import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { endpointsFromEnv } from './endpoints';
import { uniqueName } from './names';

/** Each helper returns a resource that belongs to one test, and `cleanup()` that removes it. */
export interface TestTopic {
  topic: string;
  brokers: string[];
  cleanup(): Promise<void>;
}

export function testKafka(clientId = 'trackstream-test'): Kafka {
  return new Kafka({ clientId, brokers: endpointsFromEnv().kafkaBrokers, logLevel: logLevel.NOTHING });
}

export async function createTestTopic(prefix = 'test', partitions = 1): Promise<TestTopic> {
  const { kafkaBrokers } = endpointsFromEnv();
  const topic = uniqueName(prefix);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return {
    topic,
    brokers: kafkaBrokers,
    cleanup: async () => {
      await deleteTestTopics(testKafka(), [topic]);
    },
  };
}

/**
 * Deletes a test's topics. Right after a topic is created a cold KRaft broker can still answer
 * UNKNOWN_TOPIC_OR_PARTITION ("does not host this topic-partition") to a delete, and kafkajs does not retry that:
 * a cleanup must not fail a test for it, so it is retried a few times here.
 */
export async function deleteTestTopics(kafka: Kafka, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.deleteTopics({ topics });
        return;
      } catch (err) {
        if (!isNotYetKnown(err) || attempt >= 10) throw err;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

function isNotYetKnown(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
  }
  return false;
}

export interface TestPgSchema {
  schema: string;
  /** A connection string whose sessions use the test's schema as search_path. */
  url: string;
  pool: Pool;
  cleanup(): Promise<void>;
}

export async function createTestPgSchema(prefix = 'test'): Promise<TestPgSchema> {
  const { pgUrl } = endpointsFromEnv();
  const schema = uniqueName(prefix);
  const admin = new Pool({ connectionString: pgUrl, max: 1 });
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  const url = withSearchPath(pgUrl, schema);
  const pool = new Pool({ connectionString: url, max: 4 });
  return {
    schema,
    url,
    pool,
    cleanup: async () => {
      await pool.end();
      const a = new Pool({ connectionString: pgUrl, max: 1 });
      try {
        await a.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await a.end();
      }
    },
  };
}

export function withSearchPath(pgUrl: string, schema: string): string {
  const u = new URL(pgUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface TestClickHouseDatabase {
  database: string;
  /** The ClickHouse URL with the test's database as its path. */
  url: string;
  client: ClickHouseClient;
  cleanup(): Promise<void>;
}

export async function createTestClickHouseDatabase(prefix = 'test'): Promise<TestClickHouseDatabase> {
  const { clickhouseUrl } = endpointsFromEnv();
  const database = uniqueName(prefix);
  const admin = createClient({ url: withDatabase(clickhouseUrl, 'default') });
  try {
    await admin.command({ query: `CREATE DATABASE ${database}` });
  } finally {
    await admin.close();
  }
  const url = withDatabase(clickhouseUrl, database);
  const client = createClient({ url });
  return {
    database,
    url,
    client,
    cleanup: async () => {
      await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await client.close();
    },
  };
}

export function withDatabase(clickhouseUrl: string, database: string): string {
  const u = new URL(clickhouseUrl);
  u.pathname = `/${database}`;
  return u.toString();
}
