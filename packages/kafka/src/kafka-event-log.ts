import { Partitioners, type Kafka, type Message, type Producer, type RetryOptions } from 'kafkajs';
import { encodeEvent, eventKey, LIMITS, type LogPositions, type StoredEvent } from '@trackstream/events';
import type { Logger } from '@trackstream/telemetry';
import { EventLogClosedError, EventLogError, EventLogRejectedError } from './errors';
import type { AppendOptions, EventLog } from './event-log';

export interface KafkaEventLogOptions {
  kafka: Kafka;
  topic: string;
  logger: Logger;
  /** Upper bound on one produce round trip (a producer connect included). Default 5000 ms. */
  sendTimeoutMs?: number;
  /** Appends that queue up while a send is in flight go out together in one request of up to this many value bytes. Default 4 MiB. */
  maxSendBytes?: number;
  /** Retries inside one send. Bounded, so a dead broker surfaces as an error instead of an endless retry loop. */
  retry?: RetryOptions;
}

interface Pending {
  messages: Message[];
  bytes: number;
  settled: boolean;
  resolve(p: LogPositions): void;
  reject(e: unknown): void;
}

/**
 * EventLog on a Kafka topic: idempotent producer, acks=all, key = eventKey, value = the Avro single-object encoding.
 *
 * One send is in flight at a time; appends that arrive meanwhile are coalesced into the next send (group commit).
 * That keeps the idempotent producer's per-partition sequence numbers simple and turns load into larger requests
 * rather than more of them.
 *
 * After any failed or timed-out send the producer is discarded and the next send gets a new one (a new producer
 * id). A send that failed on our side may still have been written by the broker; reusing its sequence numbers
 * for different records would make the broker drop those as duplicates and acknowledge them anyway.
 */
/** The adapter's defaults, in one place (applied once, in the constructor). */
export const EVENT_LOG_DEFAULTS = Object.freeze({
  sendTimeoutMs: 5000,
  /** One Kafka request carries at most what one HTTP batch may (4 MiB). */
  maxSendBytes: LIMITS.batchBytes,
  retry: Object.freeze({ retries: 2, initialRetryTime: 100, maxRetryTime: 1000 }),
});

export class KafkaEventLog implements EventLog {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private readonly sendTimeoutMs: number;
  private readonly maxSendBytes: number;
  private readonly retry: RetryOptions;
  private readonly queue: Pending[] = [];
  /** Which partition the partitioner chose for each message of the current send. */
  private readonly assigned = new WeakMap<Message, number>();
  private producer: Producer | null = null;
  private pumping: Promise<void> | null = null;
  private closing = false;

  constructor(opts: KafkaEventLogOptions) {
    this.kafka = opts.kafka;
    this.topic = opts.topic;
    this.logger = opts.logger.child({ component: 'event-log', topic: opts.topic });
    const d = EVENT_LOG_DEFAULTS;
    this.sendTimeoutMs = opts.sendTimeoutMs ?? d.sendTimeoutMs;
    this.maxSendBytes = opts.maxSendBytes ?? d.maxSendBytes;
    this.retry = opts.retry ?? { ...d.retry };
  }

  append(events: readonly StoredEvent[], opts: AppendOptions = {}): Promise<LogPositions> {
    if (this.closing) return Promise.reject(new EventLogClosedError());
    if (events.length === 0) return Promise.resolve({ topic: this.topic, positions: {} });
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(abortReason(signal));

    let messages: Message[];
    try {
      messages = events.map((e) => ({ key: eventKey(e), value: encodeEvent(e) }));
    } catch (err) {
      // An event that cannot be encoded will never be: not an outage, and nothing of the batch is sent.
      return Promise.reject(new EventLogRejectedError(`an event could not be encoded: ${(err as Error).message}`, { cause: err }));
    }
    const bytes = messages.reduce((n, m) => n + (m.value as Buffer).length + String(m.key).length, 0);

    return new Promise<LogPositions>((resolve, reject) => {
      const onAbort = () => {
        if (p.settled) return;
        const at = this.queue.indexOf(p);
        if (at >= 0) this.queue.splice(at, 1);
        p.settled = true;
        reject(abortReason(signal!));
      };
      const p: Pending = {
        messages,
        bytes,
        settled: false,
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(p);
      this.pumping ??= this.pump();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    while (this.pumping) await this.pumping;
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  private async pump(): Promise<void> {
    // Yield once so appends issued in the same tick join the first send.
    await Promise.resolve();
    for (;;) {
      if (this.queue.length === 0) {
        // Cleared in the same microtask as the empty-queue check: an append that runs after this starts a new
        // pump, so none is left stranded in the queue.
        this.pumping = null;
        return;
      }
      const group = this.takeGroup();
      if (group.length === 0) continue;
      try {
        const positions = await withTimeout(this.send(group), this.sendTimeoutMs, () =>
          new EventLogError('LOG_TIMEOUT', `Kafka did not acknowledge within ${this.sendTimeoutMs} ms`),
        );
        group.forEach((p, i) => {
          if (p.settled) return;
          p.settled = true;
          p.resolve(positions[i]!);
        });
      } catch (err) {
        const error = toEventLogError(err);
        this.logger.warn('append failed; the next send uses a new producer', { code: error.code, error: error.message });
        this.retireProducer();
        for (const p of group) {
          if (p.settled) continue;
          p.settled = true;
          p.reject(error);
        }
      }
    }
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (group.length > 0 && bytes + next.bytes > this.maxSendBytes) break;
      this.queue.shift();
      if (next.settled) continue;
      group.push(next);
      bytes += next.bytes;
    }
    return group;
  }

  private async send(group: Pending[]): Promise<LogPositions[]> {
    const producer = await this.currentProducer();
    const messages = group.flatMap((p) => p.messages);
    const metadata = await producer.send({ topic: this.topic, acks: -1, timeout: this.sendTimeoutMs, messages });

    const baseOffset = new Map<number, bigint>();
    for (const m of metadata) {
      const base = m.baseOffset ?? m.offset;
      if (m.topicName === this.topic && base !== undefined) baseOffset.set(m.partition, BigInt(base));
    }
    // The producer keeps each partition's messages in the order given, so the k-th message bound for partition p
    // got offset base(p) + k.
    const nextInPartition = new Map<number, bigint>();
    return group.map((p) => {
      const positions: Record<number, string> = {};
      for (const msg of p.messages) {
        const partition = this.assigned.get(msg);
        const base = partition === undefined ? undefined : baseOffset.get(partition);
        if (partition === undefined || base === undefined) {
          throw new EventLogError('LOG_UNAVAILABLE', 'Kafka acknowledged a send without the offsets of all its partitions');
        }
        const k = nextInPartition.get(partition) ?? 0n;
        nextInPartition.set(partition, k + 1n);
        positions[partition] = (base + k).toString();
      }
      return { topic: this.topic, positions };
    });
  }

  private async currentProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    const assigned = this.assigned;
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: this.retry,
      createPartitioner: () => {
        const choose = Partitioners.DefaultPartitioner();
        return (args) => {
          const partition = choose(args);
          assigned.set(args.message, partition);
          return partition;
        };
      },
    });
    this.producer = producer;
    try {
      await producer.connect();
    } catch (err) {
      if (this.producer === producer) this.producer = null;
      void producer.disconnect().catch(() => undefined);
      throw err;
    }
    return producer;
  }

  private retireProducer(): void {
    const old = this.producer;
    this.producer = null;
    if (old) void old.disconnect().catch(() => undefined);
  }
}

function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof Error && 'code' in reason
    ? reason
    : new EventLogError('LOG_TIMEOUT', 'the append was abandoned before Kafka acknowledged it', { cause: reason });
}

function toEventLogError(err: unknown): EventLogError {
  if (err instanceof EventLogError) return err;
  // Record-level refusals fail the same way on every retry; everything else is an outage that may pass.
  const refused = kafkaErrorTypes(err).some((t) => REFUSALS.has(t));
  const message = (err as { message?: string }).message ?? String(err);
  return refused ? new EventLogRejectedError(`Kafka: ${message}`, { cause: err }) : new EventLogError('LOG_UNAVAILABLE', `Kafka: ${message}`, { cause: err });
}

const REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'CORRUPT_MESSAGE', 'INVALID_RECORD']);

/** kafkajs wraps the broker's error (`type`) in retry errors (`originalError`); collect the whole chain. */
function kafkaErrorTypes(err: unknown): string[] {
  const types: string[] = [];
  let e = err as { type?: unknown; originalError?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string') types.push(e.type);
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return types;
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
