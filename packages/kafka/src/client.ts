import { Kafka, logLevel as kafkaLevel, type LogEntry, type RetryOptions, type logCreator } from 'kafkajs';
import type { Logger } from '@trackstream/telemetry';

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** The quietest kafkajs level still passed on; kafkajs is chatty at info. Default 'warn'. */
  logLevel?: KafkaLogLevel;
  /** Milliseconds to establish a TCP connection to a broker. Default 1000: a local broker answers at once or not at all. */
  connectionTimeoutMs?: number;
  /** Milliseconds a broker has to answer one request. Default 10000. */
  requestTimeoutMs?: number;
  /** Retries of connection and metadata requests; kept short so an outage reaches the caller before its own deadline. */
  retry?: RetryOptions;
}

const LEVELS: Record<KafkaLogLevel, kafkaLevel> = {
  error: kafkaLevel.ERROR,
  warn: kafkaLevel.WARN,
  info: kafkaLevel.INFO,
  debug: kafkaLevel.DEBUG,
};

export const DEFAULT_CLIENT_RETRY: RetryOptions = { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 };

export function createKafkaClient(opts: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeoutMs ?? 1000,
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    retry: opts.retry ?? DEFAULT_CLIENT_RETRY,
    logLevel: LEVELS[opts.logLevel ?? 'warn'],
    logCreator: kafkaLogBridge(opts.logger),
  });
}

// kafkajs warns whenever an idempotent producer gets bounded retries. KafkaEventLog bounds them on purpose and
// replaces the producer after any failure (see there), so the warning is noise at every (re)connect.
const EXPECTED = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

/** Routes kafkajs' namespaced log lines into our structured Logger, keeping kafkajs' extra fields. */
export function kafkaLogBridge(logger: Logger): logCreator {
  const base = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    // kafkajs repeats its own timestamp and logger name in every entry; our logger stamps the time already.
    const { message, timestamp: _t, logger: _l, ...rest } = entry.log as { message: string; timestamp?: unknown; logger?: unknown };
    const fields = { namespace: entry.namespace, ...rest };
    switch (EXPECTED.has(message) ? kafkaLevel.DEBUG : entry.level) {
      case kafkaLevel.ERROR:
        base.error(message, fields);
        break;
      case kafkaLevel.WARN:
        base.warn(message, fields);
        break;
      case kafkaLevel.INFO:
        base.info(message, fields);
        break;
      default:
        base.debug(message, fields);
    }
  };
}
