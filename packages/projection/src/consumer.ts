import { Partitioners, type Admin, type Consumer, type ConsumerConfig, type Kafka, type Producer } from 'kafkajs';
import { createKafkaClient } from '@trackstream/kafka';
import type { Logger } from '@trackstream/telemetry';
import { RUNTIME_DEFAULTS, type CompiledRuntimeOptions } from './options';

/** Consumer wiring: the three kafkajs clients one runtime uses. */
export interface RuntimeClients {
  consumer: Consumer;
  /** Sends dead letters. */
  producer: Producer;
  /** Reads high watermarks for the lag gauge. */
  admin: Admin;
}

/** Retries of the runtime's own connections: a projector rides out a broker restart rather than failing. */
export const RUNTIME_CLIENT_RETRIES = 8;

/** The consumer-group settings derived from the compiled options (pure, so it is unit-tested). */
export function consumerConfig(opts: CompiledRuntimeOptions): ConsumerConfig {
  return {
    groupId: opts.groupId,
    // The events topic is the system of record: it is created on purpose (partitions, retention), never by a read.
    allowAutoTopicCreation: false,
    sessionTimeout: opts.sessionTimeoutMs,
    maxBytesPerPartition: opts.maxBytesPerPartition,
    maxBytes: Math.max(16 * 1024 * 1024, 4 * opts.maxBytesPerPartition),
    heartbeatInterval: Math.max(500, Math.floor(opts.sessionTimeoutMs / 10)),
    minBytes: opts.fetchMinBytes,
    maxWaitTimeInMs: opts.fetchMaxWaitMs,
    retry: { retries: RUNTIME_CLIENT_RETRIES, restartOnFailure: async () => true },
  };
}

/** The Kafka client (built by @trackstream/kafka, the one place that does) and the runtime's three clients on it. */
export function createRuntimeClients(opts: CompiledRuntimeOptions, log: Logger, kafka?: Kafka): RuntimeClients {
  const client =
    kafka ??
    createKafkaClient({
      clientId: opts.clientId,
      brokers: opts.brokers,
      logger: log,
      requestTimeoutMs: RUNTIME_DEFAULTS.kafkaRequestTimeoutMs,
      retry: { retries: RUNTIME_CLIENT_RETRIES },
    });
  return {
    consumer: client.consumer(consumerConfig(opts)),
    // The DLQ is at-least-once anyway (a crash after the send and before the checkpoint re-sends; readers dedupe on
    // the source-offset header), so a plain acks=all producer whose retries stay bounded is the better trade.
    producer: client.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false }),
    admin: client.admin(),
  };
}
