import { ArtifactCore, MultipartUploads, artifactsRawFromEnv, compileArtifactStoreOptions, openBlobStore } from '@trackstream/artifacts';
import { startPostgresTokenValidator, type TokenAuthWiring } from '@trackstream/auth';
import { ConfigError } from '@trackstream/config';
import { KafkaEventLog, createKafkaClient, ensureTopic } from '@trackstream/kafka';
import { ReadModel } from '@trackstream/read-model';
import { createJsonLogger, redactUrl, scrubSecrets, stopOnSignals } from '@trackstream/telemetry';
import { createArtifactStoreService } from './app';
import type { ArtifactAuth } from './auth';
import { loadArtifactStoreConfig } from './config';

/** Composition root: config → BlobStore, EventLog (Kafka), read model → the core → the HTTP service. */
async function main(): Promise<void> {
  let config;
  let storeOptions;
  try {
    config = loadArtifactStoreConfig(process.env);
    storeOptions = compileArtifactStoreOptions(artifactsRawFromEnv(config.artifacts));
  } catch (err) {
    if (err instanceof ConfigError || (err as { code?: string }).code === 'INVALID_ARTIFACTS_URL') {
      process.stderr.write(`artifact-store: ${(err as Error).message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createJsonLogger({ level: config.logLevel, base: { service: 'artifact-store' } });
  let tokens: TokenAuthWiring | null = null;
  let auth: ArtifactAuth = { mode: 'off' };
  if (config.authMode === 'on') {
    tokens = await startPostgresTokenValidator({ pgUrl: config.pgUrl, schema: config.authPgSchema, refreshMs: config.authRefreshMs, maxStaleMs: config.authMaxStaleMs, logger });
    auth = { mode: 'on', validator: tokens.validator };
  } else {
    logger.warn('access control is off (TRACKSTREAM_AUTH=off): anyone who reaches this port can read and write every project');
  }
  const kafka = createKafkaClient({ clientId: 'trackstream-artifact-store', brokers: [...config.kafkaBrokers], logger, logLevel: 'warn' });
  await ensureTopic(kafka, { topic: config.eventsTopic });
  const log = new KafkaEventLog({ kafka, topic: config.eventsTopic, logger });
  const read = ReadModel.open({ pgUrl: config.pgUrl, pgSchema: config.pgSchema, clickhouseUrl: config.clickhouseUrl, logger });
  const store = openBlobStore(storeOptions);
  const core = new ArtifactCore({ store, log, index: read, visibilityWaitMs: config.visibilityWaitMs, logger });
  const service = createArtifactStoreService({
    core,
    uploads: new MultipartUploads(core, store),
    health: async () => ({ postgres: (await read.health()).postgres }),
    port: config.port,
    host: config.host,
    logger,
    auth,
  });
  const { port } = await service.listen();
  logger.info('artifact store listening', { port, host: config.host, store: store.location, topic: config.eventsTopic, postgres: redactUrl(config.pgUrl), auth: config.authMode });
  stopOnSignals({
    logger,
    stop: async () => {
      await service.close();
      await log.close();
      await read.close();
      await store.close();
      await tokens?.stop();
    },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`artifact-store failed to start: ${scrubSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  process.exit(1);
});
