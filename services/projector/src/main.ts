import { ConfigError } from '@trackstream/config';
import { createKafkaClient, ensureTopic } from '@trackstream/kafka';
import { createProjectorHttpServer, ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { backoffDelay } from '@trackstream/projection-core';
import { createJsonLogger, createMetricsRegistry, scrubSecrets } from '@trackstream/telemetry';
import { loadProjectorConfig } from './config';
import { createSink } from './sinks';

/** Between start attempts (store down, topic missing): 1 s doubling, at most 30 s. */
const START_BACKOFF = { initialMs: 1_000, maxMs: 30_000 } as const;

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadProjectorConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createJsonLogger({ level: cfg.logLevel, base: { service: `projector-${cfg.projection}`, pid: process.pid } });
  const registry = createMetricsRegistry(`projector-${cfg.projection}`);
  const metrics = new ProjectorMetrics(registry, cfg.projection);
  const sink = createSink(cfg, logger);
  const runtimeOptions = {
    brokers: cfg.kafkaBrokers,
    topic: cfg.topic,
    dlqTopic: cfg.dlqTopic,
    groupId: cfg.groupId,
    sink,
    logger,
    metrics,
    maxRecordsPerApply: cfg.maxRecordsPerApply,
    partitionsConsumedConcurrently: cfg.concurrency,
    fetchMinBytes: cfg.fetchMinBytes,
    fetchMaxWaitMs: cfg.fetchMaxWaitMs,
    backoff: { initialMs: 250, maxMs: cfg.backoffMaxMs },
    sessionTimeoutMs: cfg.sessionTimeoutMs,
  };
  let runtime = new ProjectionRuntime(runtimeOptions);

  const server = createProjectorHttpServer({
    registry,
    health: () => {
      const h = runtime.health();
      return { ok: h.status === 'running' || h.status === 'starting', details: h };
    },
  });
  await new Promise<void>((resolve) => server.listen(cfg.port, '0.0.0.0', resolve));
  logger.info('projector listening', { port: cfg.port, projection: cfg.projection, topic: cfg.topic, groupId: cfg.groupId });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    try {
      await runtime.stop();
      await sink.close();
    } finally {
      server.close();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  // The store may be down or the events topic not created yet: keep trying instead of exiting, with a fresh
  // runtime each time so nothing half-connected is reused.
  const admin = createKafkaClient({ clientId: `${cfg.groupId}-admin`, brokers: cfg.kafkaBrokers, logger });
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopic(admin, { topic: cfg.dlqTopic, partitions: 3 });
      await runtime.start();
      return;
    } catch (err) {
      if (stopping) return;
      await runtime.stop().catch(() => undefined);
      runtime = new ProjectionRuntime(runtimeOptions);
      const delay = backoffDelay(attempt, START_BACKOFF);
      logger.error('projector start failed; retrying', { err: err instanceof Error ? err.message : String(err), attempt, delayMs: delay });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`projector failed: ${scrubSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  process.exit(1);
});
