import { InvalidArgumentError, RunFinishedError, type AccessDeniedError } from './errors';
import { newEventId } from './ids';
import type { Pipeline } from './pipeline';
import { PolicyGate, type PolicyCounters } from './policy';
import { redactParams } from './secrets';
import { checkKey, checkMetricValue, checkName, checkRecord, checkStep, checkTimestamp, stringMap, stringifyValue } from './validate';
import { checkEvent } from './validate';
import { serializeEvent, serializeMetrics, type PointSource } from './serialize';
import { LIMITS, type LineageRef, type TrackstreamEvent } from './wire';

export type RunStatus = 'FINISHED' | 'FAILED' | 'KILLED';

export interface LogOptions {
  /** Training step (a finite integer). Omitted: one more than the previous call's step (0 for the first). */
  step?: number;
  /** ms since the epoch; defaults to now. */
  timestamp?: number;
  /** Debug metrics are the first to go under the 'drop' backpressure policy. */
  debug?: boolean;
}

export interface ArtifactInfo {
  /** Path of the artifact within the run (e.g. "model/weights.pt"). */
  path: string;
  /** Where the bytes are (s3://…, file://…, https://…). */
  uri: string;
  sizeBytes?: number | null;
  sha256?: string | null;
  mediaType?: string | null;
}

export interface LineageInput {
  kind: LineageRef['kind'];
  name: string;
  version?: string | null;
  digest?: string | null;
}

export interface FinishOptions {
  status?: RunStatus;
  /** How long to wait for the gateway to acknowledge everything; the rest stays in the spool. Default 30 s. */
  timeoutMs?: number;
}

export interface FinishReport {
  runId: string;
  status: RunStatus;
  /** Every event of the run reached the gateway. */
  complete: boolean;
  sentEvents: number;
  /** Events not acknowledged by the deadline; they are on disk at `spoolPath` and go out at the next start or `trackstream sync`. */
  unsentEvents: number;
  spoolPath: string | null;
  /** Events the gateway refused as invalid, kept at `rejectedPath`. */
  rejectedEvents: number;
  rejectedPath: string | null;
  backpressure: PolicyCounters;
  /**
   * Set when the gateway refused the API token (401/403): sending stopped and the unsent events are in the spool
   * (`spoolPath`), to be sent with `trackstream sync` once the token is fixed. Null otherwise.
   */
  error: AccessDeniedError | null;
}

/** What a run needs from its client (kept narrow so the run holds no reference to options it must not see). */
export interface RunHost {
  readonly pipeline: Pipeline;
  readonly project: string;
  readonly redactSecretParams: boolean;
  readonly flushPoints: number;
  /** A caller that never yields to the event loop still cannot hold more than this in the run's buffer. */
  readonly maxBufferedPoints: number;
  readonly defaultFinishTimeoutMs: number;
  runEnded(run: Run): void;
}

const TYPE_VALUE_LIMIT: Record<'param' | 'tag', number> = { param: LIMITS.paramValueLength, tag: LIMITS.tagValueLength };
// A params/tags event carries at most this much (bytes, estimated); bigger maps are split across events.
const MAP_EVENT_BYTES = 512 * 1024;

export class Run {
  // Points wait in columns, not objects: log() then allocates nothing in the steady state (no GC pressure in the
  // caller's hot loop); point objects are built when the buffer is sealed, off the log() call.
  private readonly buf = new PointColumns();
  private sealScheduled = false;
  private nextStep = 0;
  private finished: FinishReport | null = null;
  private finishing: Promise<FinishReport> | null = null;
  private readonly checkedKeys = new Set<string>();

  constructor(
    private readonly host: RunHost,
    readonly runId: string,
    readonly experimentId: string,
    private readonly gate: PolicyGate,
  ) {}

  /**
   * Logs metric values for one step. Validates at the call (so a bad value fails on the line that produced
   * it) and enqueues; never waits for the network or the disk.
   */
  log(metrics: Record<string, number>, opts?: LogOptions): void {
    if (this.finishing) throw new RunFinishedError(this.runId);
    if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
      throw new InvalidArgumentError('metrics', 'must be an object of {key: number}');
    }
    const step = opts?.step === undefined ? this.nextStep : checkStep('step', opts.step);
    const timestamp = opts?.timestamp === undefined ? Date.now() : checkTimestamp('timestamp', opts.timestamp);
    const pressure = this.host.pipeline.underPressure;
    if (!pressure) {
      // One pass; a bad key or value rolls back what this call added, so a call logs all its points or throws.
      const mark = this.buf.length;
      for (const key in metrics) {
        const value = metrics[key];
        if (typeof value !== 'number' || !this.checkedKeys.has(key)) {
          try {
            this.checkPoint(key, value);
          } catch (err) {
            this.buf.length = mark;
            throw err;
          }
        }
        this.buf.add(key, value as number, step, timestamp);
      }
    } else {
      for (const key in metrics) this.checkPoint(key, metrics[key]);
      const debug = opts?.debug === true;
      for (const key in metrics) {
        if (this.gate.keep(key, debug, true)) this.buf.add(key, metrics[key]!, step, timestamp);
      }
    }
    this.nextStep = step + 1;
    if (this.buf.length >= this.host.maxBufferedPoints) this.flushMetrics();
    else if (this.buf.length >= this.host.flushPoints && !this.sealScheduled) {
      this.sealScheduled = true;
      setImmediate(() => {
        this.sealScheduled = false;
        this.flushMetrics();
      });
    }
  }

  private checkPoint(key: string, value: unknown): void {
    if (!this.checkedKeys.has(key)) {
      checkKey('metrics key', key);
      if (this.checkedKeys.size < 10_000) this.checkedKeys.add(key);
    }
    if (typeof value !== 'number') checkMetricValue(`metrics.${key}`, value);
  }

  /** One metric value; same rules as log(). */
  logMetric(key: string, value: number, opts?: LogOptions): void {
    checkKey('key', key);
    this.log({ [key]: value }, opts);
  }

  /** Params are immutable per run on the server; logging the same key with another value is kept as a conflict. */
  logParams(params: Record<string, unknown>): void {
    this.assertOpen();
    let map = this.mapOf('params', params, 'param');
    if (this.host.redactSecretParams) map = redactParams(map);
    if (Object.keys(map).length === 0) return;
    for (const part of splitMap(map)) this.emit({ type: 'params_logged', payload: { params: part } });
  }

  logParam(key: string, value: unknown): void {
    checkKey('key', key);
    this.logParams({ [key]: value });
  }

  setTags(tags: Record<string, unknown>): void {
    this.assertOpen();
    const map = this.mapOf('tags', tags, 'tag');
    if (Object.keys(map).length === 0) return;
    for (const part of splitMap(map)) this.emit({ type: 'tags_set', payload: { tags: part } });
  }

  setTag(key: string, value: unknown): void {
    checkKey('key', key);
    this.setTags({ [key]: value });
  }

  deleteTags(keys: string[]): void {
    this.assertOpen();
    if (!Array.isArray(keys)) throw new InvalidArgumentError('keys', 'must be an array of tag keys');
    keys.forEach((k, i) => checkKey(`keys[${i}]`, k));
    if (keys.length === 0) return;
    for (let i = 0; i < keys.length; i += LIMITS.keysPerEvent) this.emit({ type: 'tags_deleted', payload: { keys: keys.slice(i, i + LIMITS.keysPerEvent) } });
  }

  logArtifact(artifact: ArtifactInfo): void {
    this.assertOpen();
    checkRecord('artifact', artifact);
    const p = checkName('artifact.path', artifact.path, LIMITS.tagValueLength);
    const uri = checkName('artifact.uri', artifact.uri, LIMITS.tagValueLength);
    const size = artifact.sizeBytes ?? null;
    if (size !== null && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
      throw new InvalidArgumentError('artifact.sizeBytes', `must be a non-negative integer, got ${String(size)}`);
    }
    const sha = artifact.sha256 ?? null;
    if (sha !== null && (typeof sha !== 'string' || !/^[0-9a-f]{64}$/i.test(sha))) {
      throw new InvalidArgumentError('artifact.sha256', 'must be 64 hex digits');
    }
    const media = artifact.mediaType ?? null;
    if (media !== null) checkName('artifact.mediaType', media, LIMITS.keyLength);
    this.emit({ type: 'artifact_logged', payload: { path: p, uri, size_bytes: size, sha256: sha === null ? null : sha.toLowerCase(), media_type: media } });
  }

  recordLineage(lineage: { inputs?: LineageInput[]; outputs?: LineageInput[] }): void {
    this.assertOpen();
    checkRecord('lineage', lineage);
    const inputs = (lineage.inputs ?? []).map((r, i) => lineageRef(`lineage.inputs[${i}]`, r));
    const outputs = (lineage.outputs ?? []).map((r, i) => lineageRef(`lineage.outputs[${i}]`, r));
    if (inputs.length + outputs.length === 0) throw new InvalidArgumentError('lineage', 'needs at least one input or output');
    if (inputs.length > LIMITS.lineageRefsPerEvent || outputs.length > LIMITS.lineageRefsPerEvent) {
      throw new InvalidArgumentError('lineage', `at most ${LIMITS.lineageRefsPerEvent} inputs and ${LIMITS.lineageRefsPerEvent} outputs per call`);
    }
    this.emit({ type: 'lineage_recorded', payload: { inputs, outputs } });
  }

  /**
   * Ends the run: enqueues run_completed and waits (up to timeoutMs) until the gateway acknowledged every
   * event of the run. Whatever is not acknowledged by then is on disk; the report says how much and where.
   */
  finish(opts: FinishOptions = {}): Promise<FinishReport> {
    if (this.finishing) return this.finishing;
    const status = opts.status ?? 'FINISHED';
    if (status !== 'FINISHED' && status !== 'FAILED' && status !== 'KILLED') {
      throw new InvalidArgumentError('status', `must be FINISHED, FAILED or KILLED, got ${String(status)}`);
    }
    const timeoutMs = opts.timeoutMs ?? this.host.defaultFinishTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new InvalidArgumentError('timeoutMs', 'must be a non-negative number');
    this.emit({ type: 'run_completed', payload: { status, end_time: Date.now() } });
    this.finishing = this.drain(status, timeoutMs);
    return this.finishing;
  }

  /** Seals buffered points into events now (the flusher does this on its own every flush interval). */
  flushMetrics(): void {
    const total = this.buf.length;
    if (total === 0) return;
    for (let i = 0; i < total; i += LIMITS.pointsPerEvent) {
      const to = Math.min(total, i + LIMITS.pointsPerEvent);
      const env = { event_id: newEventId(), project: this.host.project, experiment_id: this.experimentId, run_id: this.runId, occurred_at: this.buf.timestamp(i) };
      this.host.pipeline.push(serializeMetrics(env, this.buf, i, to), this.runId, to - i);
    }
    this.buf.clear();
  }

  get isFinished(): boolean {
    return this.finishing !== null;
  }

  /** @internal Enqueues an event in run order (pending metric points first). */
  emit(body: DistributiveBody): void {
    this.flushMetrics();
    const event = {
      event_id: newEventId(),
      project: this.host.project,
      experiment_id: this.experimentId,
      run_id: this.runId,
      occurred_at: Date.now(),
      ...body,
    } as TrackstreamEvent;
    checkEvent(event);
    this.host.pipeline.push(serializeEvent(event), this.runId, 1);
  }

  private async drain(status: RunStatus, timeoutMs: number): Promise<FinishReport> {
    const pipeline = this.host.pipeline;
    let complete = false;
    if (pipeline.offline) pipeline.spillNow();
    else {
      complete = await pipeline.waitForRun(this.runId, Date.now() + timeoutMs);
      if (!complete) pipeline.spillNow();
    }
    const d = pipeline.delivery(this.runId);
    this.finished = {
      runId: this.runId,
      status,
      complete: d.pending === 0 && d.rejected === 0,
      sentEvents: d.sent,
      unsentEvents: d.pending,
      spoolPath: d.pending > 0 ? pipeline.spoolPath : null,
      rejectedEvents: d.rejected,
      rejectedPath: d.rejected > 0 ? pipeline.rejectedFile : null,
      backpressure: this.gate.snapshot(),
      error: pipeline.denied,
    };
    pipeline.forget(this.runId);
    this.host.runEnded(this);
    return this.finished;
  }

  private assertOpen(): void {
    if (this.finishing) throw new RunFinishedError(this.runId);
  }

  private mapOf(argument: string, value: unknown, kind: 'param' | 'tag'): Record<string, string> {
    return stringMap(argument, value, TYPE_VALUE_LIMIT[kind]);
  }
}

type Bodies = TrackstreamEvent extends infer E ? (E extends { type: infer T; payload: infer P } ? { type: T; payload: P } : never) : never;
export type DistributiveBody = Bodies;

function lineageRef(argument: string, r: LineageInput): LineageRef {
  checkRecord(argument, r);
  if (!['dataset', 'model', 'code', 'run'].includes(r.kind)) {
    throw new InvalidArgumentError(`${argument}.kind`, `must be dataset, model, code or run, got ${JSON.stringify(r.kind)}`);
  }
  const name = checkName(`${argument}.name`, r.name, LIMITS.tagValueLength);
  const version = r.version === undefined || r.version === null ? null : stringifyValue(`${argument}.version`, r.version, LIMITS.keyLength);
  const digest = r.digest === undefined || r.digest === null ? null : stringifyValue(`${argument}.digest`, r.digest, LIMITS.keyLength);
  return { kind: r.kind, name, version, digest };
}

function splitMap(map: Record<string, string>): Record<string, string>[] {
  const parts: Record<string, string>[] = [];
  let cur: Record<string, string> = {};
  let bytes = 0;
  let count = 0;
  for (const [k, v] of Object.entries(map)) {
    const size = k.length + v.length * 2 + 8;
    if (count > 0 && (bytes + size > MAP_EVENT_BYTES || count >= 1000)) {
      parts.push(cur);
      cur = {};
      bytes = 0;
      count = 0;
    }
    cur[k] = v;
    bytes += size;
    count++;
  }
  if (count > 0) parts.push(cur);
  return parts;
}

/** Growable column store of pending points; reused across seals. */
class PointColumns implements PointSource {
  private keys: string[] = [];
  private values = new Float64Array(1024);
  private steps = new Float64Array(1024);
  private times = new Float64Array(1024);
  length = 0;

  add(key: string, value: number, step: number, timestamp: number): void {
    const n = this.length;
    if (n === this.values.length) this.grow();
    this.keys[n] = key;
    this.values[n] = value;
    this.steps[n] = step;
    this.times[n] = timestamp;
    this.length = n + 1;
  }

  key(i: number): string {
    return this.keys[i]!;
  }

  value(i: number): number {
    return this.values[i]!;
  }

  step(i: number): number {
    return this.steps[i]!;
  }

  timestamp(i: number): number {
    return this.times[i]!;
  }

  clear(): void {
    this.length = 0;
    // Keep the capacity, but not an outsized one left by a burst, nor references to old key strings.
    if (this.values.length > 65536) {
      this.keys = [];
      this.values = new Float64Array(1024);
      this.steps = new Float64Array(1024);
      this.times = new Float64Array(1024);
    }
  }

  private grow(): void {
    const cap = this.values.length * 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.values = grow(this.values);
    this.steps = grow(this.steps);
    this.times = grow(this.times);
  }
}
