import type { AddressInfo } from 'node:net';
import { EVENTS_TOPIC_PARTITIONS } from '@trackstream/events';
import { KafkaEventLog, createKafkaClient, createKafkaProbe, ensureTopic, type KafkaLogLevel } from '@trackstream/kafka';
import type { Logger } from '@trackstream/telemetry';
import { createGateway, type Gateway, type GatewayOptions } from './app';
import { DEFAULT_DEADLINE_MS } from './options';

export interface KafkaGatewayOptions extends Omit<GatewayOptions, 'eventLog' | 'checkReady'> {
  brokers: string[];
  topic: string;
  /** Partitions if the topic has to be created. Default EVENTS_TOPIC_PARTITIONS (12). */
  partitions?: number;
  kafkaLogLevel?: KafkaLogLevel;
}

export interface RunningGateway {
  gateway: Gateway;
  address: AddressInfo;
  /** Graceful stop: HTTP first (in-flight requests finish), then the producer. */
  stop(graceMs?: number): Promise<void>;
}

export const KAFKA_GATEWAY_DEFAULTS = Object.freeze({
  partitions: EVENTS_TOPIC_PARTITIONS,
  kafkaLogLevel: 'warn' as KafkaLogLevel,
  probeTimeoutMs: 2000,
  /** The producer gives up this long before the request's deadline, so the answer is still in time. */
  sendMarginMs: 250,
  minSendTimeoutMs: 1000,
});

/** The Kafka wiring's options after defaults (the gateway's own are compiled by createGateway). */
export interface CompiledKafkaWiring {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly partitions: number;
  readonly kafkaLogLevel: KafkaLogLevel;
  readonly sendTimeoutMs: number;
  readonly probeTimeoutMs: number;
}

/** Raw → defaults → frozen: the Kafka half of startKafkaGateway's options, and the gateway's options as given. */
export function compileKafkaWiring(opts: KafkaGatewayOptions): { wiring: CompiledKafkaWiring; gateway: Omit<GatewayOptions, 'eventLog' | 'checkReady'> } {
  const { brokers, topic, partitions, kafkaLogLevel, ...gateway } = opts;
  const d = KAFKA_GATEWAY_DEFAULTS;
  const wiring = Object.freeze({
    brokers: Object.freeze([...brokers]),
    topic,
    partitions: partitions ?? d.partitions,
    kafkaLogLevel: kafkaLogLevel ?? d.kafkaLogLevel,
    sendTimeoutMs: Math.max(d.minSendTimeoutMs, (gateway.deadlineMs ?? DEFAULT_DEADLINE_MS) - d.sendMarginMs),
    probeTimeoutMs: d.probeTimeoutMs,
  });
  return { wiring, gateway };
}

/** The gateway wired to Kafka: makes sure the topic exists, then serves on `port` (0 = any free port). */
export async function startKafkaGateway(opts: KafkaGatewayOptions & { port: number; host?: string; logger: Logger }): Promise<RunningGateway> {
  const { port, host, ...raw } = opts;
  const { wiring, gateway: rest } = compileKafkaWiring(raw);
  const { topic } = wiring;
  const kafka = createKafkaClient({ clientId: 'trackstream-ingest-gateway', brokers: [...wiring.brokers], logger: opts.logger, logLevel: wiring.kafkaLogLevel });
  const ensured = await ensureTopic(kafka, { topic, partitions: wiring.partitions });
  opts.logger.info(ensured.created ? 'created the events topic' : 'events topic exists', { topic, partitions: ensured.partitions });
  if (ensured.updated.length > 0) opts.logger.warn('corrected events topic settings the contract depends on', { topic, settings: ensured.updated });

  const eventLog = new KafkaEventLog({ kafka, topic, logger: opts.logger, sendTimeoutMs: wiring.sendTimeoutMs });
  const probe = createKafkaProbe(kafka, { topic, timeoutMs: wiring.probeTimeoutMs });
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
