import { ConfigError } from '@trackstream/config';
import { createJsonLogger } from '@trackstream/telemetry';
import { loadGatewayConfig } from './config';
import { startKafkaGateway } from './kafka-gateway';

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
  const running = await startKafkaGateway({
    logger,
    brokers: config.kafkaBrokers,
    topic: config.topic,
    partitions: config.topicPartitions,
    port: config.port,
    host: config.host,
    budget: { maxBytes: config.maxInFlightBytes, maxRequests: config.maxInFlightRequests },
    deadlineMs: config.deadlineMs,
    breaker: { resetTimeoutMs: config.breakerResetMs },
  });
  logger.info('ingest gateway listening', {
    url: `http://${running.address.address}:${running.address.port}`,
    port: running.address.port,
    topic: config.topic,
    brokers: config.kafkaBrokers,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal, graceMs: config.shutdownGraceMs });
    running.stop(config.shutdownGraceMs).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error('shutdown failed', { error: err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest-gateway failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
