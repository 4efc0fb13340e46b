import { startPostgresTokenValidator, type TokenAuthWiring } from '@trackstream/auth';
import { ConfigError } from '@trackstream/config';
import { createJsonLogger, redactUrl, scrubSecrets, stopOnSignals } from '@trackstream/telemetry';
import type { GatewayAuth } from './options';
import { loadGatewayConfig } from './config';
import { startKafkaGateway } from './kafka-gateway';
import { Pool } from 'pg';
import { readCollabTargets } from '@trackstream/read-model';
import type { CollabTargetDirectory } from './pipeline/targets';

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ingest-gateway: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createJsonLogger({ level: config.logLevel, base: { service: 'ingest-gateway' } });
  // Tokens are read from Postgres only when auth is on; off is the local single-user setup.
  let tokens: TokenAuthWiring | null = null;
  let auth: GatewayAuth = { mode: 'off' };
  if (config.authMode === 'on') {
    tokens = await startPostgresTokenValidator({ pgUrl: config.pgUrl, schema: config.authPgSchema, refreshMs: config.authRefreshMs, maxStaleMs: config.authMaxStaleMs, logger });
    auth = { mode: 'on', validator: tokens.validator, rateLimit: { perSec: config.rateLimitPerSec, burst: config.rateBurst } };
  } else {
    logger.warn('access control is off (TRACKSTREAM_AUTH=off): anyone who reaches this port can write to any project');
  }
  // Collaboration events (notes, stars, views) must name runs/experiments/notes the Postgres projection knows.
  const projection = new Pool({ connectionString: config.pgUrl, max: 2, connectionTimeoutMillis: 5_000 });
  projection.on('error', (err) => logger.warn('idle postgres connection failed', { err: err.message }));
  const targets: CollabTargetDirectory = { lookup: (q) => readCollabTargets(projection, config.pgSchema, q) };
  const running = await startKafkaGateway({
    targets,
    logger,
    brokers: config.kafkaBrokers,
    topic: config.topic,
    partitions: config.topicPartitions,
    port: config.port,
    host: config.host,
    budget: { maxBytes: config.maxInFlightBytes, maxRequests: config.maxInFlightRequests },
    deadlineMs: config.deadlineMs,
    admission: { enabled: config.adaptiveAdmission === 'on' },
    breaker: { resetTimeoutMs: config.breakerResetMs },
    auth,
  });
  logger.info('ingest gateway listening', {
    url: `http://${running.address.address}:${running.address.port}`,
    port: running.address.port,
    topic: config.topic,
    brokers: config.kafkaBrokers,
    auth: config.authMode,
    adaptiveAdmission: config.adaptiveAdmission,
    ...(config.authMode === 'on'
      ? { authStore: redactUrl(config.pgUrl), authSchema: config.authPgSchema, authRefreshMs: config.authRefreshMs, rateLimitPerSec: config.rateLimitPerSec, rateBurst: config.rateBurst ?? 'auto' }
      : {}),
  });

  stopOnSignals({
    logger: logger.child({ graceMs: config.shutdownGraceMs }),
    stop: async () => {
      await running.stop(config.shutdownGraceMs);
      await tokens?.stop();
      await projection.end();
    },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest-gateway failed to start: ${scrubSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  process.exit(1);
});
