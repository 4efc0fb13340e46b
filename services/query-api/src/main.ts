import { startPostgresTokenValidator, type TokenAuthWiring } from '@trackstream/auth';
import { ConfigError } from '@trackstream/config';
import { createJsonLogger, redactUrl, scrubSecrets, stopOnSignals } from '@trackstream/telemetry';
import { createQueryApi } from './app';
import type { QueryAuth } from './auth';
import { loadQueryConfig } from './config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadQueryConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`query-api: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createJsonLogger({ level: config.logLevel, base: { service: 'query-api' } });
  let tokens: TokenAuthWiring | null = null;
  let auth: QueryAuth = { mode: 'off' };
  if (config.authMode === 'on') {
    tokens = await startPostgresTokenValidator({ pgUrl: config.pgUrl, schema: config.authPgSchema, refreshMs: config.authRefreshMs, maxStaleMs: config.authMaxStaleMs, logger });
    auth = { mode: 'on', validator: tokens.validator };
  } else {
    logger.warn('access control is off (TRACKSTREAM_AUTH=off): anyone who reaches this port can read every project');
  }
  const api = createQueryApi({
    pgUrl: config.pgUrl,
    pgSchema: config.pgSchema,
    clickhouseUrl: config.clickhouseUrl,
    eventsTopic: config.eventsTopic,
    readYourWritesWaitMs: config.readYourWritesWaitMs,
    port: config.port,
    host: config.host,
    logger,
    auth,
  });
  const { port } = await api.listen();
  logger.info('query API listening', {
    port,
    host: config.host,
    pgSchema: config.pgSchema,
    topic: config.eventsTopic,
    postgres: redactUrl(config.pgUrl),
    auth: config.authMode,
    ...(config.authMode === 'on' ? { authSchema: config.authPgSchema, authRefreshMs: config.authRefreshMs } : {}),
  });

  stopOnSignals({
    logger,
    stop: async () => {
      await api.close();
      await tokens?.stop();
    },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`query-api failed to start: ${scrubSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  process.exit(1);
});
