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
      const a = testKafka().admin();
      await a.connect();
      try {
        await a.deleteTopics({ topics: [topic] });
      } finally {
        await a.disconnect();
      }
    },
  };
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
