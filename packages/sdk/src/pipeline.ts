import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '@trackstream/telemetry';
import type { BackoffOptions } from './backoff';
import { deliver, type DeliveryHooks } from './delivery';
import { AccessDeniedError } from './errors';
import { safeHost, SpoolFile } from './spool';
import type { Transport, ValidationProblem } from './transport';
import { LIMITS } from './wire';

/**
 * The send queue shared by every run of a client. Events keep one order from push to Kafka:
 *   queue = [chunk, chunk, ...]  (oldest first; a chunk's events live in memory or, once spilled, in the spool)
 * One request is in flight at a time and it is always the head of the queue, so spilling never reorders
 * anything: a spill writes every in-memory chunk to the spool in queue order and frees its memory, and the
 * sender later reads spilled chunks back from disk when their turn comes.
 */
export interface PipelineOptions {
  /** null: offline, everything goes to the spool. */
  transport: Transport | null;
  url: string | null;
  spoolDir: string;
  /** Points (non-metric events count 1) held in memory before the rest spills to disk. */
  maxBufferedPoints: number;
  backoff: BackoffOptions;
  /** fsync the spool after each spill (default true); off trades crash safety for speed. */
  fsync: boolean;
  logger: Logger;
  random?: () => number;
  /** Bytes of one HTTP batch before compression; under the gateway's 4 MiB limit with room for the envelope. */
  maxRequestBytes: number;
}

interface Chunk {
  /** In-memory events (JSON text each), or null once the chunk was spilled and its memory freed. */
  events: string[] | null;
  count: number;
  points: number;
  estBytes: number;
  /** The spool batch holding this chunk, once spilled. */
  seq: number | null;
  /** No more events may join (it is in a request or in the spool). */
  sealed: boolean;
  runs: Map<string, number>;
}

export interface RunDelivery {
  sent: number;
  pending: number;
  rejected: number;
}

export interface PipelineStats {
  queuedEvents: number;
  bufferedPoints: number;
  spooledEvents: number;
  spoolPath: string | null;
  sentEvents: number;
  sentRequests: number;
  retries: number;
  rejectedEvents: number;
  healthy: boolean;
  /** The gateway refused the token: sending stopped, unsent events are (or go) in the spool. */
  denied: AccessDeniedError | null;
}

const CHUNK_EVENTS = 1000;
const CHUNK_BYTES = 1024 * 1024;

export class Pipeline {
  private readonly queue: Chunk[] = [];
  private bufferedPoints = 0;
  private queuedEvents = 0;
  private spool: SpoolFile | null = null;
  private healthy = true;
  private stopped = false;
  private spillScheduled = false;
  private wakeSender: (() => void) | null = null;
  private interruptSleep: (() => void) | null = null;
  private readonly perRun = new Map<string, RunDelivery>();
  private readonly waiters = new Set<() => void>();
  private readonly loop: Promise<void>;
  private readonly maxRequestBytes: number;
  private sentEvents = 0;
  private sentRequests = 0;
  private retries = 0;
  private rejectedEvents = 0;
  private rejectedPath: string | null = null;
  private lastSpoolPath: string | null = null;
  private deniedError: AccessDeniedError | null = null;

  constructor(private readonly opts: PipelineOptions) {
    this.maxRequestBytes = opts.maxRequestBytes;
    // A library must never crash its host with an unhandled rejection; a broken sender is logged, and what it had
    // not sent is still spilled by close() and the exit hooks.
    this.loop = opts.transport
      ? this.sendLoop(opts.transport).catch((err: unknown) => {
          this.healthy = false;
          opts.logger.error('trackstream: the sender stopped on an unexpected error; unsent events will be spooled', { err });
        })
      : Promise.resolve();
  }

  get offline(): boolean {
    return this.opts.transport === null;
  }

  /**
   * True while the gateway is failing, memory is full, or a backlog sits in the spool (the gateway is not keeping
   * up): the run applies its backpressure policy to metrics.
   */
  get underPressure(): boolean {
    if (this.bufferedPoints >= this.opts.maxBufferedPoints) return true;
    // Offline, the spool is the destination, not a backlog.
    return !this.offline && (!this.healthy || (this.spool !== null && this.spool.pendingBatches > 0));
  }

  /** Enqueues one serialized event of `runId` ('' for experiment events); never blocks, no I/O on this path. */
  push(json: string, runId: string, points: number): void {
    const estBytes = json.length;
    let tail = this.queue[this.queue.length - 1];
    if (!tail || tail.sealed || tail.count >= CHUNK_EVENTS || tail.estBytes + estBytes > CHUNK_BYTES) {
      tail = { events: [], count: 0, points: 0, estBytes: 0, seq: null, sealed: false, runs: new Map() };
      this.queue.push(tail);
    }
    tail.events!.push(json);
    tail.count++;
    tail.points += points;
    tail.estBytes += estBytes;
    tail.runs.set(runId, (tail.runs.get(runId) ?? 0) + 1);
    this.delivery(runId).pending++;
    this.bufferedPoints += points;
    this.queuedEvents++;
    if (this.bufferedPoints >= this.opts.maxBufferedPoints) {
      // Normally on the next turn of the loop; a caller that never yields meets the hard bound here instead.
      if (this.bufferedPoints >= 2 * this.opts.maxBufferedPoints) this.spillNow();
      else this.scheduleSpill();
    }
    this.wakeSender?.();
  }

  /** Periodic tick from the client's flusher: while offline or failing, buffered events go to disk. */
  tick(): void {
    if ((this.offline || !this.healthy) && this.hasUnspilled()) this.spillNow();
  }

  /**
   * Writes every in-memory chunk to the spool, synchronously, and frees the memory. Used by the backpressure
   * path, by finish() at its deadline and by exit hooks, where nothing asynchronous would get to run.
   * Returns the number of events written.
   */
  spillNow(): number {
    this.spillScheduled = false;
    let written = 0;
    try {
      for (const chunk of this.queue) {
        if (chunk.seq !== null || chunk.events === null) continue;
        const spool = this.ensureSpool();
        chunk.seq = spool.appendBatchText(chunk.events);
        chunk.sealed = true;
        chunk.events = null;
        this.bufferedPoints -= chunk.points;
        written += chunk.count;
      }
      if (written > 0 && this.opts.fsync) this.spool?.sync();
    } catch (err) {
      // The disk refused (full, read-only...): keep the events in memory, over the bound, rather than lose them.
      this.opts.logger.error('trackstream: could not write the spool; events stay in memory', { err, dir: this.opts.spoolDir });
    }
    return written;
  }

  delivery(runId: string): RunDelivery {
    let d = this.perRun.get(runId);
    if (!d) {
      d = { sent: 0, pending: 0, rejected: 0 };
      this.perRun.set(runId, d);
    }
    return d;
  }

  /** Drops a finished run's counters (a sweep runs thousands of runs through one client). */
  forget(runId: string): void {
    const d = this.perRun.get(runId);
    if (d && d.pending === 0) this.perRun.delete(runId);
  }

  /** Resolves true once every event of the run was acknowledged (or set aside as rejected), false at the deadline. */
  async waitForRun(runId: string, deadline: number): Promise<boolean> {
    return this.waitUntil(() => this.delivery(runId).pending === 0, deadline);
  }

  async waitForAll(deadline: number): Promise<boolean> {
    return this.waitUntil(() => this.queuedEvents === 0, deadline);
  }

  stats(): PipelineStats {
    return {
      queuedEvents: this.queuedEvents,
      bufferedPoints: this.bufferedPoints,
      spooledEvents: this.spool?.pendingEvents ?? 0,
      spoolPath: this.spoolPath,
      sentEvents: this.sentEvents,
      sentRequests: this.sentRequests,
      retries: this.retries,
      rejectedEvents: this.rejectedEvents,
      healthy: this.healthy,
      denied: this.deniedError,
    };
  }

  /** Where unsent events are (or last were) on disk. */
  get spoolPath(): string | null {
    return this.spool?.path ?? this.lastSpoolPath;
  }

  /** Set once the gateway refused the token (401/403); from then on nothing is sent, everything is spooled. */
  get denied(): AccessDeniedError | null {
    return this.deniedError;
  }

  get rejectedFile(): string | null {
    return this.rejectedPath;
  }

  /** Stops sending; whatever is unsent is spilled to disk first. Returns unsent events. */
  async close(): Promise<number> {
    this.stopped = true;
    this.spillNow();
    this.wakeSender?.();
    this.interruptSleep?.();
    // An in-flight request may take up to its timeout; its events are on disk already, so do not wait for it.
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 1000).unref())]);
    this.opts.transport?.close();
    const unsent = this.queuedEvents;
    if (this.spool) {
      if (this.spool.pendingBatches === 0) this.spool.remove();
      else this.spool.close();
      this.spool = null;
    }
    return unsent;
  }

  /** Synchronous last resort for exit hooks: everything unsent goes to disk, the file is closed. */
  closeSync(): number {
    this.stopped = true;
    this.spillNow();
    this.interruptSleep?.();
    if (this.spool && this.spool.pendingBatches > 0) this.spool.close();
    return this.queuedEvents;
  }

  private hasUnspilled(): boolean {
    return this.queue.some((c) => c.events !== null && c.seq === null);
  }

  private scheduleSpill(): void {
    if (this.spillScheduled) return;
    this.spillScheduled = true;
    // Not inside log(): the caller's hot path must not pay for a disk write; the next turn of the loop does.
    setImmediate(() => {
      if (this.spillScheduled) this.spillNow();
    });
  }

  private ensureSpool(): SpoolFile {
    if (!this.spool) {
      this.spool = SpoolFile.create(this.opts.spoolDir, this.opts.url);
      this.lastSpoolPath = this.spool.path;
      this.opts.logger.info('trackstream: spooling events to disk', { path: this.spool.path });
    }
    return this.spool;
  }

  private async sendLoop(transport: Transport): Promise<void> {
    const hooks: DeliveryHooks = {
      backoff: this.opts.backoff,
      random: this.opts.random,
      stopped: () => this.stopped,
      sleep: (ms) => this.sleep(ms),
      onRetry: (result, attempt, delayMs) => {
        this.retries++;
        if (this.healthy) {
          this.healthy = false;
          // Gateway trouble: put everything on disk now, so a crash while we wait loses nothing.
          this.spillNow();
        }
        this.opts.logger.warn('trackstream: gateway send failed, retrying', { reason: result.reason, status: result.status, attempt, delay_ms: delayMs });
      },
      onRejected: (events, problems) => this.setAside(events, problems),
      onDenied: (result) => {
        this.deniedError = new AccessDeniedError(result.status, result.code, result.reason, result.message);
        this.healthy = false;
        // Nothing is lost: what is unsent goes to disk now, for `trackstream sync` with a good token.
        this.spillNow();
        this.opts.logger.error('trackstream: the gateway refused the API token; sending stopped, unsent events are kept in the spool', {
          status: result.status,
          code: result.code,
          reason: result.reason,
          path: this.spoolPath,
        });
        // Waiting for acknowledgements is pointless now: finish() and close() answer at once.
        for (const w of [...this.waiters]) w();
      },
      onAccepted: () => {
        this.sentRequests++;
        if (!this.healthy) this.opts.logger.info('trackstream: gateway reachable again');
        this.healthy = true;
      },
    };
    while (!this.stopped) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wakeSender = resolve));
        this.wakeSender = null;
        continue;
      }
      let req: Request;
      try {
        req = this.buildRequest();
      } catch (err) {
        this.opts.logger.error('trackstream: could not read a spooled batch; it stays on disk', { err, path: this.spoolPath });
        await this.sleep(this.opts.backoff.maxMs);
        continue;
      }
      const outcome = await deliver(transport, req.serialized, hooks);
      if (outcome === 'stopped' || outcome === 'denied') return;
      this.complete(req.chunks);
    }
  }

  private buildRequest(): Request {
    const chunks: Chunk[] = [];
    const serialized: string[] = [];
    let bytes = 16;
    for (const chunk of this.queue) {
      if (chunks.length > 0 && serialized.length + chunk.count > LIMITS.eventsPerBatch) break;
      const strings = chunk.events ?? this.spool!.readBatch(chunk.seq!).map((e) => JSON.stringify(e));
      // Characters, not bytes: exact for ASCII; a batch that UTF-8 makes too big is halved on the way out.
      let size = 0;
      for (const s of strings) size += s.length + 1;
      if (chunks.length > 0 && bytes + size > this.maxRequestBytes) break;
      chunk.sealed = true;
      chunks.push(chunk);
      for (const s of strings) serialized.push(s);
      bytes += size;
    }
    return { chunks, serialized };
  }

  private complete(chunks: Chunk[]): void {
    const acks: number[] = [];
    for (const chunk of chunks) {
      const head = this.queue.shift();
      if (head !== chunk) throw new Error('trackstream pipeline invariant broken: completed chunk is not the queue head');
      if (chunk.seq !== null) acks.push(chunk.seq);
      if (chunk.events !== null) this.bufferedPoints -= chunk.points;
      this.queuedEvents -= chunk.count;
      this.sentEvents += chunk.count;
      for (const [runId, n] of chunk.runs) {
        const d = this.delivery(runId);
        d.pending -= n;
        d.sent += n;
      }
    }
    if (this.spool) {
      try {
        this.spool.appendAck(acks);
        if (this.spool.pendingBatches === 0 && !this.queue.some((c) => c.seq !== null)) {
          // All of it is in Kafka: the file has served its purpose; a new one starts at the next spill.
          this.spool.remove();
          this.spool = null;
        }
      } catch (err) {
        this.opts.logger.warn('trackstream: could not record an acknowledgement in the spool (events may be re-sent, harmlessly)', { err });
      }
    }
    for (const w of [...this.waiters]) w();
  }

  private setAside(events: string[], problems: ValidationProblem[]): void {
    this.rejectedEvents += events.length;
    for (const e of events) {
      const runId = (JSON.parse(e) as { run_id?: string | null }).run_id ?? '';
      const d = this.delivery(runId);
      // Rejected events still leave the queue through complete(); count them as rejected, not sent.
      d.rejected++;
      d.sent--;
    }
    this.opts.logger.error('trackstream: the gateway rejected events as invalid; they are kept in the rejected file', {
      count: events.length,
      problems: problems.slice(0, 10),
    });
    try {
      fs.mkdirSync(this.opts.spoolDir, { recursive: true });
      this.rejectedPath ??= path.join(this.opts.spoolDir, `rejected.${safeHost(os.hostname())}.${process.pid}.jsonl`);
      fs.appendFileSync(this.rejectedPath, events.map((e) => `{"event":${e},"problems":${JSON.stringify(problems)}}`).join('\n') + '\n');
    } catch (err) {
      this.opts.logger.error('trackstream: could not write the rejected file', { err });
    }
  }

  private sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.interruptSleep = null;
        resolve(!this.stopped);
      }, ms);
      // A retry wait alone must not keep the process alive: exit hooks spill what is left.
      timer.unref();
      this.interruptSleep = () => {
        clearTimeout(timer);
        this.interruptSleep = null;
        resolve(false);
      };
    });
  }

  /** Resolves true when done, false at the deadline or as soon as the token was refused (nothing more will be sent). */
  private waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    if (this.deniedError) return Promise.resolve(false);
    return new Promise((resolve) => {
      const check = () => {
        if (done()) finish(true);
        else if (this.deniedError) finish(false);
      };
      const timer = setTimeout(() => finish(done()), Math.max(0, deadline - Date.now()));
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(ok);
      };
      this.waiters.add(check);
    });
  }
}

interface Request {
  chunks: Chunk[];
  serialized: string[];
}
