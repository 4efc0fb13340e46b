import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { createClient } from '@clickhouse/client';
import { startDedicatedServers, type DedicatedServers } from '@trackstream/testkit';

// The fault-test harness itself: private servers that can be stopped and started again
// without touching the shared ones, keeping their data across a restart.
describe('dedicated servers for fault tests', () => {
  let servers: DedicatedServers;
  beforeAll(async () => {
    servers = await startDedicatedServers(['kafka', 'postgres', 'clickhouse']);
  }, 180_000);
  afterAll(async () => {
    await servers?.cleanup();
  }, 120_000);

  it('runs on ports of its own, distinct from the shared stack', () => {
    expect(servers.env.TRACKSTREAM_KAFKA_BROKERS).not.toBe(process.env.TRACKSTREAM_KAFKA_BROKERS);
    expect(servers.env.TRACKSTREAM_PG_URL).not.toBe(process.env.TRACKSTREAM_PG_URL);
    expect(servers.env.TRACKSTREAM_CLICKHOUSE_URL).not.toBe(process.env.TRACKSTREAM_CLICKHOUSE_URL);
  });

  it('stops and restarts Postgres, keeping its data', async () => {
    const url = servers.env.TRACKSTREAM_PG_URL!;
    let pool = new Pool({ connectionString: url, max: 1 });
    await pool.query('CREATE TABLE kept (v int)');
    await pool.query('INSERT INTO kept VALUES (42)');
    await pool.end();

    await servers.stop('postgres');
    pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 2000 });
    await expect(pool.query('SELECT 1')).rejects.toThrow();
    await pool.end();

    await servers.start('postgres');
    pool = new Pool({ connectionString: url, max: 1 });
    const { rows } = await pool.query('SELECT v FROM kept');
    await pool.end();
    expect(rows).toEqual([{ v: 42 }]);
  }, 120_000);

  it('stops and restarts Kafka, keeping its topics', async () => {
    const kafka = new Kafka({ clientId: 'dedicated-test', brokers: servers.env.TRACKSTREAM_KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kept', numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();

    await servers.stop('kafka');
    await servers.start('kafka');

    const again = kafka.admin();
    await again.connect();
    const topics = await again.listTopics();
    await again.disconnect();
    expect(topics).toContain('kept');
  }, 120_000);

  it('runs its own ClickHouse', async () => {
    const ch = createClient({ url: servers.env.TRACKSTREAM_CLICKHOUSE_URL! });
    const rs = await ch.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ one: 1 }]);
    await ch.close();
  });
});
