import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, commonEnv, envVar, parseEnv, port } from '@trackstream/config';
import { createJsonLogger, stopOnSignals } from '@trackstream/telemetry';
import { createWebServer } from './app';

const webEnv = {
  logLevel: commonEnv.logLevel,
  port: envVar('TRACKSTREAM_WEB_PORT', port, '3000'),
  host: envVar('TRACKSTREAM_WEB_HOST', z.string().min(1), '0.0.0.0'),
  queryUrl: envVar('TRACKSTREAM_QUERY_URL', z.string().url(), 'http://127.0.0.1:8081'),
};

async function main(): Promise<void> {
  let config;
  try {
    config = parseEnv(webEnv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`web: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createJsonLogger({ level: config.logLevel, base: { service: 'web' } });
  const web = createWebServer({ queryUrl: config.queryUrl, publicDir: join(__dirname, '..', 'public'), port: config.port, host: config.host, logger });
  const { port: p } = await web.listen();
  logger.info('web UI listening', { port: p, host: config.host, queryUrl: config.queryUrl });
  stopOnSignals({ logger, stop: () => web.close() });
}

main().catch((err: unknown) => {
  process.stderr.write(`web failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
