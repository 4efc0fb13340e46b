import type { EachBatchPayload } from 'kafkajs';
import { backoffDelay, codeOf, messageOf } from '@trackstream/projection-core';
import type { Logger } from '@trackstream/telemetry';
import { PartitionCheckpoints } from './checkpoints';
import { AdvisoryCommits, lagOf } from './commits';
import { createRuntimeClients, type RuntimeClients } from './consumer';
import { compileRuntimeOptions, type CompiledRuntimeOptions, type ProjectionRuntimeOptions } from './options';
import { PartitionPauses } from './pauses';
import { applyChunk, createDeadLetterer, RetryLater, type ChunkDeps } from './poison-handling';

export type { ProjectionRuntimeOptions } from './options';

export interface RuntimeHealth {
  status: 'starting' | 'running' | 'stopped' | 'crashed';
  assigned: number[];
  paused: number[];
  checkpoints: Record<string, string>;
}

/**
 * Consumes the event topic through a consumer group and applies it to one sink, partition by partition, in log
 * order. Exactly-once in effect: the sink stores each partition's checkpoint with the rows it covers, and this
 * runtime always resumes from that checkpoint (Kafka's committed offsets only save refetching).
 *
 * The steps live in their own modules: consumer wiring (consumer.ts), checkpoint/seek (checkpoints.ts), poison
 * handling (poison-handling.ts over @trackstream/projection-core's search), retry pauses (pauses.ts) and
 * commit/lag (commits.ts). This class only connects them to kafkajs's callbacks.
 */
export class ProjectionRuntime {
  private readonly opts: CompiledRuntimeOptions;
  private readonly clients: RuntimeClients;
  private readonly log: Logger;
  private readonly checkpoints: PartitionCheckpoints;
  private readonly commits = new AdvisoryCommits();
  private readonly pauses: PartitionPauses;
  private readonly chunk: ChunkDeps;
  private state: RuntimeHealth['status'] = 'starting';
  private assigned: number[] = [];
  private timers: NodeJS.Timeout[] = [];
  private generation = 0;
  private assignmentSynced: Promise<void> = Promise.resolve();

  constructor(raw: ProjectionRuntimeOptions) {
    const opts = (this.opts = compileRuntimeOptions(raw));
    this.log = opts.logger.child({ component: 'projection-runtime', projection: opts.sink.name, topic: opts.topic });
    this.clients = createRuntimeClients(opts, this.log);
    this.checkpoints = new PartitionCheckpoints(() => opts.sink.loadCheckpoints(opts.topic));
    this.pauses = new PartitionPauses({
      topic: opts.topic,
      consumer: this.clients.consumer,
      backoff: opts.backoff,
      metrics: opts.metrics,
      log: this.log,
      onPause: (p) => this.checkpoints.forget(p),
      stopped: () => this.state === 'stopped',
    });
    this.chunk = {
      topic: opts.topic,
      sink: opts.sink,
      decode: opts.decode,
      metrics: opts.metrics,
      log: this.log,
      deadLetter: createDeadLetterer({ producer: this.clients.producer, topic: opts.topic, dlqTopic: opts.dlqTopic, projection: opts.sink.name, metrics: opts.metrics, log: this.log }),
    };
  }

  async start(): Promise<void> {
    const { consumer, producer, admin } = this.clients;
    await this.opts.sink.setup();
    await producer.connect();
    await admin.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: this.opts.topic, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment[this.opts.topic] ?? []));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.log.error('consumer crashed', { err: payload.error, restart: payload.restart });
      if (!payload.restart) this.state = 'crashed';
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.state = 'running';
    this.timers.push(setInterval(() => void this.commitAdvisoryOffsets(), this.opts.kafkaCommitIntervalMs));
    this.timers.push(setInterval(() => void this.refreshLag(), this.opts.lagRefreshIntervalMs));
    this.log.info('projection runtime started', { groupId: this.opts.groupId });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const t of this.timers) clearTimeout(t);
    this.pauses.cancelAll();
    await this.commitAdvisoryOffsets();
    await this.clients.consumer.disconnect();
    await this.clients.producer.disconnect();
    await this.clients.admin.disconnect();
    this.log.info('projection runtime stopped');
  }

  health(): RuntimeHealth {
    return {
      status: this.state,
      assigned: [...this.assigned],
      paused: this.pauses.paused(),
      checkpoints: Object.fromEntries(this.checkpoints.entries().map(([p, o]) => [String(p), o.toString()])),
    };
  }

  private onAssignment(partitions: number[]): void {
    // Another member may have advanced any partition meanwhile: forget what we knew and reread the sink.
    this.assigned = [...partitions].sort((a, b) => a - b);
    this.generation++;
    this.checkpoints.reset();
    this.commits.clear();
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
      const stored = await this.checkpoints.loadAll(this.assigned);
      if (generation !== this.generation || this.state === 'stopped') return;
      for (const [partition, cp] of stored) {
        this.checkpoints.seekedTo(partition, cp);
        this.clients.consumer.seek({ topic: this.opts.topic, partition, offset: cp.toString() });
      }
    } catch (err) {
      const delay = backoffDelay(attempt, this.opts.backoff);
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
      checkpoint = await this.checkpoints.of(partition);
    } catch (err) {
      this.pauses.schedule(partition, new RetryLater(codeOf(err), firstOffset, err));
      return;
    }

    const start = this.checkpoints.decide(partition, firstOffset, checkpoint);
    if (start.kind === 'seek') {
      this.log.info('seeking to the sink checkpoint', { partition, checkpoint: start.to.toString(), fetched: firstOffset.toString() });
      this.clients.consumer.seek({ topic: this.opts.topic, partition, offset: start.to.toString() });
      return;
    }

    const messages = batch.messages.filter((m) => BigInt(m.offset) >= start.from);
    if (messages.length === 0) {
      payload.resolveOffset(batch.lastOffset());
      return;
    }

    const max = this.opts.maxRecordsPerApply;
    for (let i = 0; i < messages.length; i += max) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = messages.slice(i, i + max);
      const last = chunk[chunk.length - 1]!;
      const next = BigInt(last.offset) + 1n;
      try {
        await applyChunk(this.chunk, partition, chunk, next.toString());
      } catch (err) {
        if (err instanceof RetryLater) {
          this.pauses.schedule(partition, err);
          return;
        }
        throw err;
      }
      payload.resolveOffset(last.offset);
      this.checkpoints.advanced(partition, next);
      this.pauses.succeeded(partition);
      this.commits.record(partition, next);
      this.opts.metrics.checkpointAdvanced(partition);
      this.opts.metrics.lag.set({ topic: this.opts.topic, partition: String(partition) }, lagOf(BigInt(batch.highWatermark), next));
      await payload.heartbeat();
    }
  }

  private async commitAdvisoryOffsets(): Promise<void> {
    // Advisory only: after a rebalance the next owner starts from the sink checkpoint anyway.
    await this.commits.flush(this.opts.topic, (offsets) => this.clients.consumer.commitOffsets(offsets), (err) => this.log.debug('advisory offset commit failed', { err: messageOf(err) }));
  }

  private async refreshLag(): Promise<void> {
    if (this.assigned.length === 0) return;
    try {
      const offsets = await this.clients.admin.fetchTopicOffsets(this.opts.topic);
      for (const { partition, high } of offsets) {
        const cp = this.checkpoints.get(partition);
        if (!this.assigned.includes(partition) || cp === undefined) continue;
        this.opts.metrics.lag.set({ topic: this.opts.topic, partition: String(partition) }, lagOf(BigInt(high), cp));
      }
    } catch (err) {
      this.log.debug('lag refresh failed', { err: messageOf(err) });
    }
  }
}
