import { ConfigError } from '@trackstream/config';
import { createJsonLogger, stopOnSignals } from '@trackstream/telemetry';
import { createQueryApi } from './app';
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
  const api = createQueryApi({
    pgUrl: config.pgUrl,
    pgSchema: config.pgSchema,
    clickhouseUrl: config.clickhouseUrl,
    eventsTopic: config.eventsTopic,
    readYourWritesWaitMs: config.readYourWritesWaitMs,
    port: config.port,
    host: config.host,
    logger,
  });
  const { port } = await api.listen();
  logger.info('query API listening', { port, host: config.host, pgSchema: config.pgSchema, topic: config.eventsTopic });

  stopOnSignals({ logger, stop: () => api.close() });
}

main().catch((err: unknown) => {
  process.stderr.write(`query-api failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
