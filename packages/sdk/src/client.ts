import { noopLogger, type Logger } from '@trackstream/telemetry';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { captureRunContext, type CapturedContext } from './context';
import { ClientClosedError, InvalidArgumentError, type AccessDeniedError } from './errors';
import { registerExitHooks, type ExitParticipant } from './exit-hooks';
import { experimentCreatedEventId, experimentIdFor, newRunId } from './ids';
import { Pipeline, type PipelineStats } from './pipeline';
import { PolicyGate, type BackpressurePolicy } from './policy';
import { recoverSpools, type RecoveryReport } from './recovery';
import { Run, type RunHost } from './run';
import { defaultSpoolDir } from './spool';
import { HttpTransport, type Transport } from './transport';
import { serializeEvent } from './serialize';
import { checkEvent, checkId, checkName, stringMap } from './validate';
import { LIMITS, type TrackstreamEvent } from './wire';

export interface TrackstreamOptions {
  /** Gateway base URL, e.g. http://localhost:8080. Not needed when offline. */
  url?: string;
  project: string;
  /**
   * API token for the gateway (sent as `Authorization: Bearer …`; needed when the gateway runs with auth on).
   * A refused token (401/403) is not retried: see FinishReport.error.
   */
  token?: string;
  /** Who is writing (x-trackstream-principal), honoured only by a gateway with auth off; default "anonymous". */
  principal?: string;
  headers?: Record<string, string>;
  /** Write only to the spool; `trackstream sync` (or a later online start) sends it. */
  offline?: boolean;
  /** Spool directory; default ~/.trackstream/spool. */
  spoolDir?: string;
  logger?: Logger;
  /**
   * A batch goes out when this many points are buffered for a run… (default 10,000: sent as events of ≤ 1,000
   * points). Measured: 1,000-point requests cost a training loop at 10k points/s about 2.3% of a core in request
   * overhead, 10,000-point requests about 1% (docs/performance.md, SDK).
   */
  flushPoints?: number;
  /** …or this often (ms, default 2000). */
  flushIntervalMs?: number;
  /** Points held in memory before the rest spills to disk (default 100 000). */
  maxBufferedPoints?: number;
  /** What log() does under pressure (gateway failing or memory full). Default 'block': lose nothing. */
  backpressure?: BackpressurePolicy;
  /** For 'downsample': keep every Nth point of each key logged under pressure (default 10). */
  downsampleEvery?: number;
  compression?: 'gzip' | 'none';
  requestTimeoutMs?: number;
  retry?: Partial<BackoffOptions>;
  /** Default deadline of run.finish() / client.close() (ms, default 30 000). */
  finishTimeoutMs?: number;
  /** fsync the spool after each spill (default true). */
  fsync?: boolean;
  /** Replace the values of params whose keys look like secrets with "[REDACTED]" (default true). */
  redactSecretParams?: boolean;
  /** Capture git/argv/deps/env into run_started (default true). */
  captureContext?: boolean;
  /** Environment to record in the run context, secrets removed. The SDK never reads process.env itself. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  argv?: readonly string[];
  /** Spool synchronously on beforeExit/exit/SIGINT/SIGTERM (default true). */
  exitHooks?: boolean;
  /** Send what crashed processes left in the spool directory, in the background (default true). */
  recoverSpools?: boolean;
  /** For tests: a transport other than HTTP. */
  transport?: Transport;
}

export interface StartRunOptions {
  /** Experiment name (created if missing) … */
  experiment?: string;
  /** … or an existing experiment id. */
  experimentId?: string;
  name?: string;
  params?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  /** Choose the run id (e.g. a sweep trial id); default a fresh "run-<uuid>". */
  runId?: string;
  parentRunId?: string;
  user?: string;
}

export interface Experiment {
  experimentId: string;
  name: string;
}

export interface CloseReport {
  unsentEvents: number;
  spoolPath: string | null;
  stats: PipelineStats;
  /** The gateway refused the API token (401/403); the unsent events are in the spool. */
  error: AccessDeniedError | null;
}

/** The entry point: one per process is typical; it owns the send queue, the spool and the exit hooks. */
export class Trackstream {
  readonly project: string;
  readonly pipeline: Pipeline;
  /** Resolves when the spools of crashed processes found at start have been sent (or given up on). */
  readonly recovery: Promise<RecoveryReport | null>;
  private readonly logger: Logger;
  private readonly runs = new Set<Run>();
  private readonly createdExperiments = new Set<string>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly unregisterExit: () => void;
  private readonly host: RunHost;
  private closed = false;
  private exitFlushTried = false;

  constructor(private readonly opts: TrackstreamOptions) {
    if (opts === null || typeof opts !== 'object') throw new InvalidArgumentError('options', 'must be an object');
    this.project = checkId('project', opts.project);
    const offline = opts.offline === true;
    if (!offline && !opts.transport) {
      if (typeof opts.url !== 'string' || !/^https?:\/\//.test(opts.url)) throw new InvalidArgumentError('url', `must be an http(s) URL, got ${String(opts.url)}`);
    }
    const flushPoints = positiveInt('flushPoints', opts.flushPoints ?? 10_000);
    const flushIntervalMs = positiveInt('flushIntervalMs', opts.flushIntervalMs ?? 2000);
    const maxBufferedPoints = positiveInt('maxBufferedPoints', opts.maxBufferedPoints ?? 100_000);
    const backpressure = opts.backpressure ?? 'block';
    if (!['block', 'downsample', 'drop'].includes(backpressure)) throw new InvalidArgumentError('backpressure', 'must be block, downsample or drop');
    positiveInt('downsampleEvery', opts.downsampleEvery ?? 10);
    this.logger = opts.logger ?? noopLogger;
    const backoff = { ...DEFAULT_BACKOFF, ...opts.retry };
    const spoolDir = opts.spoolDir ?? defaultSpoolDir();
    const url = opts.url ?? null;
    if (opts.token !== undefined && (typeof opts.token !== 'string' || !/^[\x21-\x7e]+$/.test(opts.token))) {
      // Never quote it: it is a credential.
      throw new InvalidArgumentError('token', 'must be a non-empty string of visible ASCII characters (the API token)');
    }
    const transport = offline
      ? null
      : (opts.transport ??
        new HttpTransport({ url: url!, token: opts.token, principal: opts.principal, headers: opts.headers, compression: opts.compression ?? 'gzip', requestTimeoutMs: opts.requestTimeoutMs ?? 30_000 }));
    this.pipeline = new Pipeline({ transport, url, spoolDir, maxBufferedPoints, backoff, fsync: opts.fsync ?? true, logger: this.logger });
    const self = this;
    this.host = {
      pipeline: this.pipeline,
      project: this.project,
      redactSecretParams: opts.redactSecretParams ?? true,
      flushPoints: Math.min(flushPoints, LIMITS.pointsPerEvent * 50),
      maxBufferedPoints,
      defaultFinishTimeoutMs: opts.finishTimeoutMs ?? 30_000,
      runEnded: (run) => self.runs.delete(run),
    };
    this.flushTimer = setInterval(() => this.tick(), flushIntervalMs);
    this.flushTimer.unref();
    this.unregisterExit = opts.exitHooks === false ? () => undefined : registerExitHooks(this.exitParticipant());
    this.recovery =
      transport && opts.recoverSpools !== false
        ? recoverSpools({ dir: spoolDir, url, transport, backoff, logger: this.logger, stopped: () => this.closed }).catch((err: unknown) => {
            this.logger.error('trackstream: spool recovery failed', { err });
            return null;
          })
        : Promise.resolve(null);
  }

  /**
   * The experiment called `name` in this project. The id is derived from (project, name), and its creation
   * event has a derived id too, so any number of workers calling this at once agree on one experiment and
   * the projections apply its creation once. No round trip, nothing to race on.
   */
  async getOrCreateExperiment(name: string, opts: { description?: string; tags?: Record<string, unknown> } = {}): Promise<Experiment> {
    this.assertOpen();
    checkName('name', name);
    const experimentId = experimentIdFor(this.project, name);
    const tags = stringMap('tags', opts.tags ?? {}, LIMITS.tagValueLength);
    const description = opts.description === undefined ? null : checkName('description', opts.description, LIMITS.tagValueLength);
    if (!this.createdExperiments.has(experimentId)) {
      this.createdExperiments.add(experimentId);
      const event: TrackstreamEvent = {
        event_id: experimentCreatedEventId(experimentId),
        type: 'experiment_created',
        project: this.project,
        experiment_id: experimentId,
        run_id: null,
        occurred_at: Date.now(),
        payload: { name, description, tags },
      };
      checkEvent(event);
      this.pipeline.push(serializeEvent(event), '', 1);
    }
    return { experimentId, name };
  }

  async startRun(opts: StartRunOptions): Promise<Run> {
    this.assertOpen();
    if (opts === null || typeof opts !== 'object') throw new InvalidArgumentError('options', 'must be an object');
    if ((opts.experiment === undefined) === (opts.experimentId === undefined)) {
      throw new InvalidArgumentError('experiment', 'give exactly one of experiment (a name) or experimentId');
    }
    const runId = opts.runId === undefined ? newRunId() : checkId('runId', opts.runId);
    const parentRunId = opts.parentRunId === undefined ? null : checkId('parentRunId', opts.parentRunId);
    const runName = opts.name === undefined ? null : checkName('name', opts.name);
    const tags = stringMap('tags', opts.tags ?? {}, LIMITS.tagValueLength);
    if (opts.params !== undefined) stringMap('params', opts.params, LIMITS.paramValueLength);
    const experimentId = opts.experimentId !== undefined ? checkId('experimentId', opts.experimentId) : (await this.getOrCreateExperiment(opts.experiment!)).experimentId;
    const captured = await this.capture();
    const run = new Run(this.host, runId, experimentId, new PolicyGate(this.opts.backpressure ?? 'block', this.opts.downsampleEvery ?? 10));
    const now = Date.now();
    run.emit({
      type: 'run_started',
      payload: {
        run_name: runName,
        user: opts.user ?? captured.user,
        parent_run_id: parentRunId,
        source: captured.source,
        start_time: now,
        tags,
        context: captured.context,
      },
    });
    if (opts.params !== undefined) run.logParams(opts.params);
    this.runs.add(run);
    return run;
  }

  /** Seals buffered points and waits until the gateway has everything (or the deadline). */
  async flush(timeoutMs = this.opts.finishTimeoutMs ?? 30_000): Promise<boolean> {
    for (const run of this.runs) run.flushMetrics();
    if (this.pipeline.offline) {
      this.pipeline.spillNow();
      return false;
    }
    return this.pipeline.waitForAll(Date.now() + timeoutMs);
  }

  /** Drains (up to the deadline), then stops. Unsent events stay in the spool for the next start or `trackstream sync`. */
  async close(opts: { timeoutMs?: number } = {}): Promise<CloseReport> {
    if (!this.closed) {
      for (const run of this.runs) run.flushMetrics();
      if (!this.pipeline.offline) await this.pipeline.waitForAll(Date.now() + (opts.timeoutMs ?? this.opts.finishTimeoutMs ?? 30_000));
      this.closed = true;
      clearInterval(this.flushTimer);
      this.unregisterExit();
    }
    const spoolPath = this.pipeline.spoolPath;
    const unsentEvents = await this.pipeline.close();
    await this.recovery;
    if (unsentEvents > 0) this.logger.warn('trackstream: closed with unsent events; they are in the spool', { unsent: unsentEvents, path: spoolPath });
    return { unsentEvents, spoolPath: unsentEvents > 0 ? spoolPath : null, stats: this.pipeline.stats(), error: this.pipeline.denied };
  }

  stats(): PipelineStats {
    return this.pipeline.stats();
  }

  private tick(): void {
    for (const run of this.runs) run.flushMetrics();
    this.pipeline.tick();
  }

  private async capture(): Promise<CapturedContext> {
    if (this.opts.captureContext === false) {
      return { source: { git_commit: null, git_branch: null, git_dirty: null, entry_point: null, host: null }, user: null, context: {} };
    }
    return captureRunContext({ cwd: this.opts.cwd ?? process.cwd(), argv: this.opts.argv ?? process.argv, env: this.opts.env, git: true });
  }

  private exitParticipant(): ExitParticipant {
    return {
      hasUnsent: () => {
        for (const run of this.runs) run.flushMetrics();
        return this.pipeline.stats().queuedEvents > 0;
      },
      flushOnce: () => {
        // The loop is about to go idle with events still queued (the flush timer does not hold the process):
        // give the sender one chance; the pending request keeps the loop alive until it is answered.
        if (this.exitFlushTried || this.pipeline.offline || !this.pipeline.stats().healthy) return false;
        this.exitFlushTried = true;
        this.tick();
        return true;
      },
      spillSync: (stop) => {
        for (const run of this.runs) run.flushMetrics();
        const written = stop ? this.pipeline.closeSync() : (this.pipeline.spillNow(), this.pipeline.stats().queuedEvents);
        if (written > 0) {
          this.logger.warn('trackstream: process exiting with unsent events; they are in the spool and go out at the next start or `trackstream sync`', {
            unsent: written,
            path: this.pipeline.spoolPath,
          });
        }
      },
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientClosedError();
  }
}

function positiveInt(argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new InvalidArgumentError(argument, `must be a positive integer, got ${String(v)}`);
  return v;
}
