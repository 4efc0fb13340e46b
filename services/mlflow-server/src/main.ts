import { artifactsRawFromEnv, compileArtifactStoreOptions } from '@trackstream/artifacts';
import { startPostgresTokenValidator, type TokenAuthWiring } from '@trackstream/auth';
import { ConfigError } from '@trackstream/config';
import { createJsonLogger, redactUrl, scrubSecrets, stopOnSignals } from '@trackstream/telemetry';
import type { MlflowAuth } from './auth';
import { loadMlflowConfig } from './config';
import { startMlflowServer } from './start';

async function main(): Promise<void> {
  let config;
  let artifacts;
  try {
    config = loadMlflowConfig(process.env);
    artifacts = compileArtifactStoreOptions(artifactsRawFromEnv(config.artifacts));
  } catch (err) {
    if (err instanceof ConfigError || (err as { code?: string }).code === 'INVALID_ARTIFACTS_URL') {
      process.stderr.write(`mlflow-server: ${(err as Error).message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createJsonLogger({ level: config.logLevel, base: { service: 'mlflow-server' } });
  let tokens: TokenAuthWiring | null = null;
  let auth: MlflowAuth = { mode: 'off' };
  if (config.authMode === 'on') {
    tokens = await startPostgresTokenValidator({ pgUrl: config.pgUrl, schema: config.authPgSchema, refreshMs: config.authRefreshMs, maxStaleMs: config.authMaxStaleMs, logger });
    auth = { mode: 'on', validator: tokens.validator };
  } else {
    logger.warn(`access control is off (TRACKSTREAM_AUTH=off): every MLflow call works in project ${config.project}`);
  }
  const running = await startMlflowServer({
    brokers: config.kafkaBrokers,
    topic: config.eventsTopic,
    partitions: config.topicPartitions,
    pgUrl: config.pgUrl,
    pgSchema: config.pgSchema,
    clickhouseUrl: config.clickhouseUrl,
    port: config.port,
    host: config.host,
    project: config.project,
    readYourWritesWaitMs: config.readYourWritesWaitMs,
    visibilityPollMs: config.visibilityPollMs,
    logger,
    auth,
    artifacts,
  });
  // The ready line: tools that start this server (bench, import tests) wait for it or for GET /health.
  logger.info('MLflow-compatible server listening', {
    url: running.url,
    port: running.port,
    tracking_uri: `MLFLOW_TRACKING_URI=${running.url}`,
    project: config.project,
    topic: config.eventsTopic,
    pgSchema: config.pgSchema,
    postgres: redactUrl(config.pgUrl),
    auth: config.authMode,
    artifacts: artifacts.kind === 'file' ? artifacts.root : `s3://${artifacts.bucket}/${artifacts.prefix}`,
  });
  stopOnSignals({
    logger,
    stop: async () => {
      await running.stop();
      await tokens?.stop();
    },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`mlflow-server failed to start: ${scrubSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  process.exit(1);
});
