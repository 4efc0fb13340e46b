import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type EachBatchPayload, type KafkaMessage, type Producer } from 'kafkajs';
import { decodeEvent, type StoredEvent } from '@trackstream/events';
import type { Logger } from '@trackstream/telemetry';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { sendToDlq } from './dlq';
import { kafkaLogCreator } from './kafka-logger';
import type { ProjectorMetrics } from './metrics';
import { ProjectionError, type DecodedRecord, type ProjectionBatch, type ProjectionSink } from './ports';

export interface ProjectionRuntimeOptions {
  brokers: string[];
  topic: string;
  dlqTopic: string;
  groupId: string;
  sink: ProjectionSink;
  logger: Logger;
  metrics: ProjectorMetrics;
  clientId?: string;
  /** Records per sink.apply() call; a Kafka batch larger than this is applied in several chunks. */
  maxRecordsPerApply?: number;
  /** Partitions processed at the same time by this member (each partition stays strictly ordered). */
  partitionsConsumedConcurrently?: number;
  backoff?: BackoffOptions;
  /** Kafka's committed offsets are only advisory (the sink's checkpoint is the truth); how often to write them. */
  kafkaCommitIntervalMs?: number;
  lagRefreshIntervalMs?: number;
  decode?: (value: Buffer) => StoredEvent;
  /** Kafka fetch size per partition: bigger batches mean fewer, larger store writes (default 4 MiB). */
  maxBytesPerPartition?: number;
  /** How fast the group notices a member that died without leaving (SIGKILL): its partitions wait this long. */
  sessionTimeoutMs?: number;
  /**
   * The broker holds a fetch until this many bytes are ready (or fetchMaxWaitMs passes). A store that pays per
   * write (ClickHouse makes a part per insert and merges them later) gets fewer, larger batches; the price is up
   * to fetchMaxWaitMs of extra delay when traffic is light. Default 1: answer as soon as anything is there.
   */
  fetchMinBytes?: number;
  /** The longest a fetch waits for fetchMinBytes (default 5000, kafkajs's). */
  fetchMaxWaitMs?: number;
}

export interface RuntimeHealth {
  status: 'starting' | 'running' | 'stopped' | 'crashed';
  assigned: number[];
  paused: number[];
  checkpoints: Record<string, string>;
}

/** Thrown inside the batch handler when the partition must wait and retry from `from`. */
class RetryLater extends Error {
  constructor(
    readonly code: string,
    readonly from: bigint,
    readonly reason: unknown,
  ) {
    super(`retry from ${from}: ${code}`);
  }
}

interface Entry {
  record: DecodedRecord;
  message: KafkaMessage;
}

type Failure = { retriable: boolean; code: string; message: string; offset?: string };

/**
 * Consumes the event topic through a consumer group and applies it to one sink, partition by partition, in log
 * order. Exactly-once in effect: the sink stores each partition's checkpoint with the rows it covers, and this
 * runtime always resumes from that checkpoint (Kafka's committed offsets only save refetching).
 */
export class ProjectionRuntime {
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly log: Logger;
  private readonly maxRecords: number;
  private readonly decode: (value: Buffer) => StoredEvent;
  private state: RuntimeHealth['status'] = 'starting';
  private assigned: number[] = [];
  /** partition → next offset to apply, as the sink recorded it (loaded lazily after each assignment). */
  private readonly checkpoints = new Map<number, bigint>();
  /** partition → checkpoint we already sought to, so a log that starts after it does not loop seeking. */
  private readonly soughtTo = new Map<number, bigint>();
  private readonly attempts = new Map<number, number>();
  private readonly resumeTimers = new Map<number, NodeJS.Timeout>();
  private readonly pendingCommits = new Map<number, string>();
  private timers: NodeJS.Timeout[] = [];
  private generation = 0;
  private assignmentSynced: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ProjectionRuntimeOptions) {
    this.log = opts.logger.child({ component: 'projection-runtime', projection: opts.sink.name, topic: opts.topic });
    this.maxRecords = opts.maxRecordsPerApply ?? 1000;
    this.decode = opts.decode ?? decodeEvent;
    this.kafka = new Kafka({
      clientId: opts.clientId ?? opts.groupId,
      brokers: opts.brokers,
      logLevel: logLevel.INFO,
      logCreator: kafkaLogCreator(this.log),
      retry: { retries: 8 },
    });
    this.consumer = this.kafka.consumer({
      groupId: opts.groupId,
      // The events topic is the system of record: it is created on purpose (partitions, retention), never by a read.
      allowAutoTopicCreation: false,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: Math.max(16 * 1024 * 1024, 4 * (opts.maxBytesPerPartition ?? 4 * 1024 * 1024)),
      heartbeatInterval: Math.max(500, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 10)),
      minBytes: opts.fetchMinBytes ?? 1,
      maxWaitTimeInMs: opts.fetchMaxWaitMs ?? 5_000,
      retry: { retries: 8, restartOnFailure: async () => true } });
    // The DLQ is at-least-once anyway (a crash after the send and before the checkpoint re-sends; readers dedupe on
    // the source-offset header), so a plain acks=all producer whose retries stay bounded is the better trade.
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    this.admin = this.kafka.admin();
  }

  async start(): Promise<void> {
    await this.opts.sink.setup();
    await this.producer.connect();
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.opts.topic, fromBeginning: true });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment[this.opts.topic] ?? []));
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.log.error('consumer crashed', { err: payload.error, restart: payload.restart });
      if (!payload.restart) this.state = 'crashed';
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.state = 'running';
    this.timers.push(setInterval(() => void this.commitAdvisoryOffsets(), this.opts.kafkaCommitIntervalMs ?? 5_000));
    this.timers.push(setInterval(() => void this.refreshLag(), this.opts.lagRefreshIntervalMs ?? 5_000));
    this.log.info('projection runtime started', { groupId: this.opts.groupId });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const t of this.timers) clearTimeout(t);
    for (const t of this.resumeTimers.values()) clearTimeout(t);
    this.resumeTimers.clear();
    await this.commitAdvisoryOffsets();
    await this.consumer.disconnect();
    await this.producer.disconnect();
    await this.admin.disconnect();
    this.log.info('projection runtime stopped');
  }

  health(): RuntimeHealth {
    return {
      status: this.state,
      assigned: [...this.assigned],
      paused: [...this.resumeTimers.keys()].sort((a, b) => a - b),
      checkpoints: Object.fromEntries([...this.checkpoints].map(([p, o]) => [String(p), o.toString()])),
    };
  }

  private onAssignment(partitions: number[]): void {
    // Another member may have advanced any partition meanwhile: forget what we knew and reread the sink.
    this.assigned = [...partitions].sort((a, b) => a - b);
    this.generation++;
    this.checkpoints.clear();
    this.soughtTo.clear();
    this.pendingCommits.clear();
    this.opts.metrics.partitionsRevoked();
    this.log.info('partitions assigned', { partitions: this.assigned });
    this.assignmentSynced = this.seekToSinkCheckpoints(this.generation, 1);
  }

  /**
   * Seeks every assigned partition to the sink's checkpoint. Needed even when no record is waiting: Kafka's
   * committed offset may be ahead of the store (projection rebuilt), and then no batch would ever show the gap.
   */
  private async seekToSinkCheckpoints(generation: number, attempt: number): Promise<void> {
    try {
      const stored = await this.opts.sink.loadCheckpoints(this.opts.topic);
      if (generation !== this.generation || this.state === 'stopped') return;
      for (const partition of this.assigned) {
        const cp = BigInt(stored.get(partition) ?? '0');
        this.checkpoints.set(partition, cp);
        this.soughtTo.set(partition, cp);
        this.consumer.seek({ topic: this.opts.topic, partition, offset: cp.toString() });
      }
    } catch (err) {
      const delay = backoffDelay(attempt, this.opts.backoff ?? DEFAULT_BACKOFF);
      this.log.warn('cannot read sink checkpoints after assignment; retrying', { err: messageOf(err), delayMs: delay });
      const timer = setTimeout(() => {
        this.timers = this.timers.filter((t) => t !== timer);
        if (generation === this.generation && this.state !== 'stopped') this.assignmentSynced = this.seekToSinkCheckpoints(generation, attempt + 1);
      }, delay);
      this.timers.push(timer);
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partition = batch.partition;
    if (batch.isEmpty()) return;
    await this.assignmentSynced;
    // Fetched before the seek to the sink checkpoint took effect: drop it, the refetch starts at the checkpoint.
    if (payload.isStale()) return;
    const firstOffset = BigInt(batch.firstOffset() ?? batch.messages[0]!.offset);

    let checkpoint: bigint;
    try {
      checkpoint = await this.checkpointOf(partition);
    } catch (err) {
      this.scheduleRetry(partition, new RetryLater(codeOf(err), firstOffset, err));
      return;
    }

    if (firstOffset > checkpoint && this.soughtTo.get(partition) !== checkpoint) {
      // Kafka's committed offset is ahead of the store (e.g. the projection was rebuilt): the store wins.
      this.soughtTo.set(partition, checkpoint);
      this.log.info('seeking to the sink checkpoint', { partition, checkpoint: checkpoint.toString(), fetched: firstOffset.toString() });
      this.consumer.seek({ topic: this.opts.topic, partition, offset: checkpoint.toString() });
      return;
    }

    const messages = batch.messages.filter((m) => BigInt(m.offset) >= checkpoint);
    if (messages.length === 0) {
      payload.resolveOffset(batch.lastOffset());
      return;
    }

    for (let i = 0; i < messages.length; i += this.maxRecords) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = messages.slice(i, i + this.maxRecords);
      const last = chunk[chunk.length - 1]!;
      const next = BigInt(last.offset) + 1n;
      try {
        await this.applyChunk(partition, chunk, next.toString());
      } catch (err) {
        if (err instanceof RetryLater) {
          this.scheduleRetry(partition, err);
          return;
        }
        throw err;
      }
      payload.resolveOffset(last.offset);
      this.checkpoints.set(partition, next);
      this.attempts.delete(partition);
      this.pendingCommits.set(partition, next.toString());
      this.opts.metrics.checkpointAdvanced(partition);
      const hw = BigInt(batch.highWatermark);
      this.opts.metrics.lag.set({ topic: this.opts.topic, partition: String(partition) }, Number(hw > next ? hw - next : 0n));
      await payload.heartbeat();
    }
  }

  private async checkpointOf(partition: number): Promise<bigint> {
    const known = this.checkpoints.get(partition);
    if (known !== undefined) return known;
    const stored = await this.opts.sink.loadCheckpoints(this.opts.topic);
    // No checkpoint means nothing applied yet: start at the beginning of the log, whatever Kafka remembers.
    const cp = BigInt(stored.get(partition) ?? '0');
    this.checkpoints.set(partition, cp);
    return cp;
  }

  private async applyChunk(partition: number, messages: KafkaMessage[], nextOffset: string): Promise<void> {
    const entries: Entry[] = [];
    const from = BigInt(messages[0]!.offset);
    for (const message of messages) {
      if (message.value === null) {
        await this.deadLetter(partition, message, { code: 'EVENT_EMPTY', message: 'record has no value' }, from);
        continue;
      }
      let event: StoredEvent;
      try {
        event = this.decode(message.value);
      } catch (err) {
        await this.deadLetter(partition, message, { code: codeOf(err, 'EVENT_UNDECODABLE'), message: messageOf(err) }, from);
        continue;
      }
      entries.push({ message, record: { offset: message.offset, event } });
    }
    await this.applyEntries(partition, entries, nextOffset, from);
  }

  /** Applies entries, sending poison records to the DLQ and applying the rest; retriable failures bubble up as RetryLater. */
  private async applyEntries(partition: number, entries: Entry[], nextOffset: string, from: bigint): Promise<void> {
    let remaining = entries;
    for (;;) {
      const batch: ProjectionBatch = { topic: this.opts.topic, partition, records: remaining.map((e) => e.record), nextOffset };
      const stopTimer = this.opts.metrics.batchApplySeconds.startTimer();
      try {
        await this.opts.sink.apply(batch);
        stopTimer();
        for (const e of remaining) this.opts.metrics.eventsApplied.inc({ type: e.record.event.type });
        return;
      } catch (err) {
        const failure = classify(err);
        if (failure.retriable) throw new RetryLater(failure.code, from, err);
        const poison = failure.offset === undefined ? -1 : remaining.findIndex((e) => e.record.offset === failure.offset);
        if (poison >= 0) {
          await this.deadLetter(partition, remaining[poison]!.message, failure, from);
          remaining = remaining.filter((_, i) => i !== poison);
          continue;
        }
        if (remaining.length === 1) {
          await this.deadLetter(partition, remaining[0]!.message, failure, from);
          remaining = [];
          continue;
        }
        if (remaining.length === 0) {
          // Not even the checkpoint can be written: nothing to blame, so never skip; wait and retry.
          throw new RetryLater(failure.code, from, err);
        }
        this.log.warn('non-retriable failure without a record offset; applying records one at a time', { partition, code: failure.code });
        for (const e of remaining) {
          await this.applyEntries(partition, [e], (BigInt(e.record.offset) + 1n).toString(), BigInt(e.record.offset));
        }
        remaining = [];
      }
    }
  }

  private async deadLetter(partition: number, message: KafkaMessage, reason: { code: string; message: string }, from: bigint): Promise<void> {
    try {
      await sendToDlq(this.producer, this.opts.dlqTopic, this.opts.sink.name, {
        topic: this.opts.topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers,
        reason,
      });
    } catch (err) {
      throw new RetryLater('DLQ_UNAVAILABLE', from, err);
    }
    this.opts.metrics.dlqRecords.inc({ reason: reason.code });
    this.log.warn('record sent to the dead-letter topic', { partition, offset: message.offset, reason: reason.code, detail: reason.message });
  }

  private scheduleRetry(partition: number, retry: RetryLater): void {
    if (this.state === 'stopped') return;
    const attempt = (this.attempts.get(partition) ?? 0) + 1;
    this.attempts.set(partition, attempt);
    const delay = backoffDelay(attempt, this.opts.backoff ?? DEFAULT_BACKOFF);
    this.opts.metrics.retries.inc({ code: retry.code });
    this.log.warn('retriable failure; partition paused', {
      partition,
      attempt,
      delayMs: delay,
      from: retry.from.toString(),
      code: retry.code,
      err: retry.reason instanceof Error ? retry.reason.message : String(retry.reason),
    });
    const tp = [{ topic: this.opts.topic, partitions: [partition] }];
    this.consumer.pause(tp);
    this.consumer.seek({ topic: this.opts.topic, partition, offset: retry.from.toString() });
    // The store may have changed while it was failing (e.g. restored): reread its checkpoint on retry.
    this.checkpoints.delete(partition);
    this.soughtTo.delete(partition);
    const previous = this.resumeTimers.get(partition);
    if (previous) clearTimeout(previous);
    this.opts.metrics.pausedPartitions.set(this.resumeTimers.size + (previous ? 0 : 1));
    this.resumeTimers.set(
      partition,
      setTimeout(() => {
        this.resumeTimers.delete(partition);
        this.opts.metrics.pausedPartitions.set(this.resumeTimers.size);
        if (this.state !== 'stopped') this.consumer.resume(tp);
      }, delay),
    );
  }

  private async commitAdvisoryOffsets(): Promise<void> {
    if (this.pendingCommits.size === 0) return;
    const offsets = [...this.pendingCommits].map(([partition, offset]) => ({ topic: this.opts.topic, partition, offset }));
    this.pendingCommits.clear();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (err) {
      // Advisory only: after a rebalance the next owner starts from the sink checkpoint anyway.
      this.log.debug('advisory offset commit failed', { err: messageOf(err) });
    }
  }

  private async refreshLag(): Promise<void> {
    if (this.assigned.length === 0) return;
    try {
      const offsets = await this.admin.fetchTopicOffsets(this.opts.topic);
      for (const { partition, high } of offsets) {
        const cp = this.checkpoints.get(partition);
        if (!this.assigned.includes(partition) || cp === undefined) continue;
        const lag = BigInt(high) - cp;
        this.opts.metrics.lag.set({ topic: this.opts.topic, partition: String(partition) }, Number(lag > 0n ? lag : 0n));
      }
    } catch (err) {
      this.log.debug('lag refresh failed', { err: messageOf(err) });
    }
  }
}

function classify(err: unknown): Failure {
  if (err instanceof ProjectionError) {
    return err.offset === undefined
      ? { retriable: err.retriable, code: err.code, message: err.message }
      : { retriable: err.retriable, code: err.code, message: err.message, offset: err.offset };
  }
  // An error the sink did not classify may be anything, so it must not cost a record: retry it.
  return { retriable: true, code: codeOf(err), message: messageOf(err) };
}

function codeOf(err: unknown, fallback = 'UNKNOWN'): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 ? code : fallback;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
