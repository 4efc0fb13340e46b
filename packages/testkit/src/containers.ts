import * as fs from 'node:fs';

// Images kept in step with docker-compose.yml.
export const IMAGES = {
  kafka: 'apache/kafka:3.9.1',
  postgres: 'postgres:16',
  clickhouse: 'clickhouse/clickhouse-server:24.8',
};

interface Stoppable {
  stop(): Promise<unknown>;
}

/**
 * True when a Docker engine answers. A machine without a socket or DOCKER_HOST answers "no" at once,
 * without loading testcontainers (whose runtime probing is slow when nothing is there).
 */
export async function dockerAnswers(): Promise<boolean> {
  const socket = process.env.DOCKER_HOST || fs.existsSync('/var/run/docker.sock');
  if (!socket) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 10_000)),
    ]);
    return Boolean(client);
  } catch {
    return false;
  }
}

/** Starts the three servers in containers; returns their endpoints and a way to stop them. */
export async function startContainers(): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const [{ KafkaContainer }, { PostgreSqlContainer }, { ClickHouseContainer }] = await Promise.all([
    import('@testcontainers/kafka'),
    import('@testcontainers/postgresql'),
    import('@testcontainers/clickhouse'),
  ]);
  const started: Stoppable[] = [];
  try {
    const [kafka, pg, ch] = await Promise.all([
      new KafkaContainer(IMAGES.kafka).withKraft().start(),
      new PostgreSqlContainer(IMAGES.postgres)
        .withDatabase('trackstream')
        .withUsername('trackstream')
        .withPassword('trackstream')
        .start(),
      new ClickHouseContainer(IMAGES.clickhouse).withDatabase('trackstream').withUsername('default').withPassword('').start(),
    ]);
    started.push(kafka, pg, ch);
    return {
      env: {
        TRACKSTREAM_KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
        TRACKSTREAM_PG_URL: pg.getConnectionUri(),
        TRACKSTREAM_CLICKHOUSE_URL: `http://${ch.getHost()}:${ch.getMappedPort(8123)}/trackstream`,
      },
      stop: async () => {
        await Promise.all(started.map((c) => c.stop()));
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((c) => c.stop()));
    throw err;
  }
}
