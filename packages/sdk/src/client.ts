import type { Logger } from '@trackstream/telemetry';
import { captureRunContext, type CapturedContext } from './context';
import { ClientClosedError, InvalidArgumentError, type AccessDeniedError } from './errors';
import { registerExitHooks, type ExitParticipant } from './exit-hooks';
import { experimentCreatedEventId, experimentIdFor, newRunId } from './ids';
import { Pipeline, type PipelineStats } from './pipeline';
import { compileClientOptions, type CompiledClientOptions, type TrackstreamOptions } from './options';
import { PolicyGate } from './policy';
import { recoverSpools, type RecoveryReport } from './recovery';
import { Run, type RunHost } from './run';
import { HttpTransport, type Transport } from './transport';
import { serializeEvent } from './serialize';
import { checkEvent, checkId, checkName, stringMap } from './validate';
import { LIMITS, type TrackstreamEvent } from './wire';

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
  private readonly opts: CompiledClientOptions;
  private readonly logger: Logger;
  private readonly runs = new Set<Run>();
  private readonly createdExperiments = new Set<string>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly unregisterExit: () => void;
  private readonly host: RunHost;
  private closed = false;
  private exitFlushTried = false;

  constructor(raw: TrackstreamOptions) {
    const opts = compileClientOptions(raw);
    this.opts = opts;
    this.project = opts.project;
    this.logger = opts.logger;
    const transport = opts.offline
      ? null
      : (opts.transport ??
        new HttpTransport({ url: opts.url!, token: opts.token, principal: opts.principal, headers: opts.headers, compression: opts.compression, requestTimeoutMs: opts.requestTimeoutMs }));
    this.pipeline = new Pipeline({
      transport,
      url: opts.url,
      spoolDir: opts.spoolDir,
      maxBufferedPoints: opts.maxBufferedPoints,
      backoff: opts.backoff,
      fsync: opts.fsync,
      logger: this.logger,
      maxRequestBytes: opts.maxRequestBytes,
    });
    const self = this;
    this.host = {
      pipeline: this.pipeline,
      project: this.project,
      redactSecretParams: opts.redactSecretParams,
      flushPoints: opts.flushPoints,
      maxBufferedPoints: opts.maxBufferedPoints,
      defaultFinishTimeoutMs: opts.finishTimeoutMs,
      runEnded: (run) => self.runs.delete(run),
    };
    this.flushTimer = setInterval(() => this.tick(), opts.flushIntervalMs);
    this.flushTimer.unref();
    this.unregisterExit = opts.exitHooks ? registerExitHooks(this.exitParticipant()) : () => undefined;
    this.recovery =
      transport && opts.recoverSpools
        ? recoverSpools({
            dir: opts.spoolDir,
            url: opts.url,
            transport,
            backoff: opts.backoff,
            logger: this.logger,
            maxAttemptsPerBatch: opts.maxAttemptsPerBatch,
            stopped: () => this.closed,
          }).catch((err: unknown) => {
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
    const run = new Run(this.host, runId, experimentId, new PolicyGate(this.opts.backpressure, this.opts.downsampleEvery));
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
  async flush(timeoutMs = this.opts.finishTimeoutMs): Promise<boolean> {
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
      if (!this.pipeline.offline) await this.pipeline.waitForAll(Date.now() + (opts.timeoutMs ?? this.opts.finishTimeoutMs));
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
    if (!this.opts.captureContext) {
      return { source: { git_commit: null, git_branch: null, git_dirty: null, entry_point: null, host: null }, user: null, context: {} };
    }
    return captureRunContext({ cwd: this.opts.cwd, argv: this.opts.argv, env: this.opts.env, git: true });
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
