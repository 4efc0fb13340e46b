import type { AddressInfo } from 'node:net';
import { KafkaEventLog, createKafkaClient, createKafkaProbe, ensureTopic, type KafkaLogLevel } from '@trackstream/kafka';
import type { Logger } from '@trackstream/telemetry';
import { createGateway, type Gateway, type GatewayOptions } from './app';
import { DEFAULT_DEADLINE_MS } from './options';

export interface KafkaGatewayOptions extends Omit<GatewayOptions, 'eventLog' | 'checkReady'> {
  brokers: string[];
  topic: string;
  /** Partitions if the topic has to be created. Default 12. */
  partitions?: number;
  kafkaLogLevel?: KafkaLogLevel;
}

export interface RunningGateway {
  gateway: Gateway;
  address: AddressInfo;
  /** Graceful stop: HTTP first (in-flight requests finish), then the producer. */
  stop(graceMs?: number): Promise<void>;
}

/** The gateway wired to Kafka: makes sure the topic exists, then serves on `port` (0 = any free port). */
export async function startKafkaGateway(opts: KafkaGatewayOptions & { port: number; host?: string; logger: Logger }): Promise<RunningGateway> {
  const { brokers, topic, partitions, kafkaLogLevel, port, host, ...rest } = opts;
  const kafka = createKafkaClient({ clientId: 'trackstream-ingest-gateway', brokers, logger: opts.logger, logLevel: kafkaLogLevel ?? 'warn' });
  const ensured = await ensureTopic(kafka, { topic, partitions: partitions ?? 12 });
  opts.logger.info(ensured.created ? 'created the events topic' : 'events topic exists', { topic, partitions: ensured.partitions });
  if (ensured.updated.length > 0) opts.logger.warn('corrected events topic settings the contract depends on', { topic, settings: ensured.updated });

  const eventLog = new KafkaEventLog({ kafka, topic, logger: opts.logger, sendTimeoutMs: Math.max(1000, (rest.deadlineMs ?? DEFAULT_DEADLINE_MS) - 250) });
  const probe = createKafkaProbe(kafka, { topic, timeoutMs: 2000 });
  const gateway = createGateway({ ...rest, eventLog, checkReady: () => probe.check() });
  const address = await gateway.listen(port, host);
  return {
    gateway,
    address,
    async stop(graceMs) {
      await gateway.close(graceMs);
      await eventLog.close();
      await probe.close();
    },
  };
}
