import { ConfigError } from '@trackstream/config';
import { createJsonLogger, stopOnSignals } from '@trackstream/telemetry';
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

  stopOnSignals({ logger: logger.child({ graceMs: config.shutdownGraceMs }), stop: () => running.stop(config.shutdownGraceMs) });
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest-gateway failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
