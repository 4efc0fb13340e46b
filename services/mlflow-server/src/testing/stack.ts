import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// What the MLflow compatibility suite talks to, in-process on the shared stack: both projectors on a test-owned
// topic, schema and database, and the MLflow-compatible server over them.
import { startTestProjectors } from '@trackstream/projector/testing';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import { createTestClickHouseDatabase, createTestPgSchema, createTestTopic, endpointsFromEnv } from '@trackstream/testkit';
import { startMlflowServer, type RunningMlflowServer } from '../start';
import type { MlflowAuth } from '../auth';

export interface MlflowTestStack {
  url: string;
  topic: string;
  pgSchema: string;
  server: RunningMlflowServer;
  close(): Promise<void>;
}

export async function startMlflowTestStack(opts: { prefix?: string; auth?: MlflowAuth; logger?: Logger; project?: string } = {}): Promise<MlflowTestStack> {
  const prefix = opts.prefix ?? 'mlflow';
  const endpoints = endpointsFromEnv();
  const topic = await createTestTopic(prefix, 3);
  const dlq = await createTestTopic(`${prefix}-dlq`, 1);
  const pg = await createTestPgSchema(prefix);
  const ch = await createTestClickHouseDatabase(prefix);
  const projectors = await startTestProjectors({
    brokers: endpoints.kafkaBrokers, topic: topic.topic, dlqTopic: dlq.topic, pgUrl: endpoints.pgUrl, pgSchema: pg.schema, clickhouseUrl: ch.url, name: prefix,
  });
  // The proxy's blobs in a directory of this stack (the contract suite covers the S3 adapter on SeaweedFS).
  const artifactsDir = await mkdtemp(join(tmpdir(), `${prefix}-artifacts-`));
  const server = await startMlflowServer({
    brokers: endpoints.kafkaBrokers,
    topic: topic.topic,
    partitions: 3,
    pgUrl: endpoints.pgUrl,
    pgSchema: pg.schema,
    clickhouseUrl: ch.url,
    port: 0,
    host: '127.0.0.1',
    logger: opts.logger ?? noopLogger,
    auth: opts.auth ?? { mode: 'off' },
    ...(opts.project === undefined ? {} : { project: opts.project }),
    readYourWritesWaitMs: 30_000,
    artifacts: { kind: 'file', root: artifactsDir },
  });
  return {
    url: server.url,
    topic: topic.topic,
    pgSchema: pg.schema,
    server,
    // The test's own resources go; a store slow to drop them (a loaded shared stack) must not fail the test that ran.
    close: async () => {
      await server.stop();
      await projectors.stop();
      for (const cleanup of [pg.cleanup, ch.cleanup, topic.cleanup, dlq.cleanup]) await cleanup().catch(() => undefined);
      await rm(artifactsDir, { recursive: true, force: true });
    },
  };
}
