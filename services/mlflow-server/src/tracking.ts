import { parseEvent, type EventPayloads, type EventType, type LogPositions, type StoredEvent } from '@trackstream/events';
import { EventLogClosedError, EventLogError } from '@trackstream/kafka';
import {
  DEFAULT_EXPERIMENT_NAME, MlflowError, defaultExperimentId, derivedEventId, fromWireExperimentId, invalid, notFound,
} from '@trackstream/mlflow-protocol';
import type { ExperimentRecord, RunLifecycle, StoreSet } from '@trackstream/read-model';
import type { Caller } from './auth';
import type { CompiledOptions } from './options';

/** Which projections a write must be visible in before it answers. */
export type Stores = StoreSet;
export const PG_ONLY: Stores = { postgres: true, clickhouse: false };
export const PG_AND_CH: Stores = { postgres: true, clickhouse: true };
const CH_ONLY: Stores = { postgres: false, clickhouse: true };
/** How many runs' unconfirmed metric positions are kept; past it the oldest fold into one shared watermark. */
export const MAX_PENDING_HISTORY_RUNS = 100_000;

/** The later of two positions, partition by partition (offsets are decimal strings). */
export function laterPositions(a: LogPositions | undefined, b: LogPositions): LogPositions {
  if (a === undefined) return b;
  const positions: Record<number, string> = { ...a.positions };
  for (const [partition, offset] of Object.entries(b.positions)) {
    const known = positions[Number(partition)];
    if (known === undefined || BigInt(offset) > BigInt(known)) positions[Number(partition)] = offset;
  }
  return { topic: b.topic, positions };
}

export interface Draft<T extends EventType = EventType> {
  type: T;
  experiment_id: string;
  run_id: string | null;
  payload: EventPayloads[T];
  /** Default: a fresh UUID. */
  event_id?: string;
}

/**
 * The tracking core behind every endpoint: writes are events appended through the EventLog port (validated as
 * the gateway validates them), answered once the projections cover them; reads go through the read model.
 */
export class Tracking {
  private readonly defaults = new Set<string>();
  /** Experiment create/rename per project one at a time, so a name check and its append are not interleaved. */
  private readonly nameLocks = new Map<string, Promise<unknown>>();
  /**
   * Metric writes answer once Postgres (get_run, search_runs) shows them; only metric history reads ClickHouse, so
   * a history read waits for the positions this server appended for that run (read-your-writes at read time).
   */
  private readonly pendingHistory = new Map<string, LogPositions>();
  /** Positions of runs evicted from pendingHistory: a history read of a run not in the map waits for these. */
  private evictedHistory: LogPositions | undefined;

  constructor(readonly o: CompiledOptions) {}

  /** Validates the drafts as events, appends them together, waits until reads see them. */
  async append(caller: Caller, drafts: readonly Draft[], stores: Stores): Promise<LogPositions | undefined> {
    if (drafts.length === 0) return undefined;
    const now = this.o.now();
    const events: StoredEvent[] = [];
    for (const d of drafts) {
      const candidate = { event_id: d.event_id ?? this.o.uuid(), type: d.type, project: caller.project, experiment_id: d.experiment_id, run_id: d.run_id, occurred_at: now, payload: d.payload };
      const parsed = parseEvent(candidate);
      if (!parsed.ok) {
        const problems = parsed.problems.slice(0, 5).map((p) => `${p.path.replace(/^payload\./, '')}: ${p.message}`);
        throw invalid(`Invalid request: ${problems.join('; ')}`);
      }
      events.push({ ...parsed.event, received_at: now, principal: caller.principal } as StoredEvent);
    }
    let positions: LogPositions;
    try {
      positions = await this.o.eventLog.append(events);
    } catch (err) {
      if (err instanceof EventLogError) {
        this.o.logger.warn('append failed', { code: err.code, retriable: err.retriable });
        if (err.retriable || err instanceof EventLogClosedError) throw new MlflowError('TEMPORARILY_UNAVAILABLE', 'the event log is unavailable; retry later', this.o.retryAfterSeconds);
        throw new MlflowError('INVALID_PARAMETER_VALUE', `the event log refused the write: ${err.message}`);
      }
      throw err;
    }
    const visible = await this.o.readModel.waitFor(positions, stores, this.o.readYourWritesWaitMs, this.o.visibilityPollMs);
    if (!visible) {
      throw new MlflowError('TEMPORARILY_UNAVAILABLE', `the write is stored but not yet visible to reads after ${this.o.readYourWritesWaitMs} ms; retry later`, this.o.retryAfterSeconds);
    }
    return positions;
  }

  /** Appends a write that carries metric points: answered once Postgres shows it; history reads of the run wait for ClickHouse. */
  async appendWithMetrics(caller: Caller, runId: string, drafts: readonly Draft[]): Promise<void> {
    const positions = await this.append(caller, drafts, PG_ONLY);
    if (positions === undefined) return;
    const merged = laterPositions(this.pendingHistory.get(runId), positions);
    this.pendingHistory.delete(runId);
    this.pendingHistory.set(runId, merged);
    if (this.pendingHistory.size > MAX_PENDING_HISTORY_RUNS) {
      const [oldestRun, oldest] = this.pendingHistory.entries().next().value as [string, LogPositions];
      this.pendingHistory.delete(oldestRun);
      this.evictedHistory = laterPositions(this.evictedHistory, oldest);
    }
  }

  /** Before a metric history read of the run: waits (bounded) until ClickHouse holds every point this server accepted for it. */
  async historyVisible(runId: string): Promise<void> {
    const pending = this.pendingHistory.get(runId) ?? this.evictedHistory;
    if (pending === undefined) return;
    const visible = await this.o.readModel.waitFor(pending, CH_ONLY, this.o.readYourWritesWaitMs, this.o.visibilityPollMs);
    if (!visible) {
      throw new MlflowError('TEMPORARILY_UNAVAILABLE', `logged metrics are not yet readable as history after ${this.o.readYourWritesWaitMs} ms; retry later`, this.o.retryAfterSeconds);
    }
    if (this.pendingHistory.get(runId) === pending) this.pendingHistory.delete(runId);
    else if (this.evictedHistory === pending) this.evictedHistory = undefined;
  }

  /** The project's Default experiment "0" exists before anything reads or writes the project. */
  async ensureDefault(caller: Caller): Promise<void> {
    if (this.defaults.has(caller.project)) return;
    const id = defaultExperimentId(caller.project);
    const found = await this.o.readModel.experimentRecords(caller.project, id);
    if (found.length === 0) {
      await this.append(
        caller,
        [{ type: 'experiment_created', experiment_id: id, run_id: null, event_id: derivedEventId('mlflow-default-experiment', caller.project), payload: { name: DEFAULT_EXPERIMENT_NAME, description: null, tags: {} } }],
        PG_ONLY,
      );
    }
    this.defaults.add(caller.project);
  }

  async experiment(caller: Caller, wireId: string): Promise<ExperimentRecord> {
    const [e] = await this.o.readModel.experimentRecords(caller.project, fromWireExperimentId(wireId, caller.project));
    if (e === undefined) throw notFound(`No Experiment with id=${wireId} exists`);
    return e;
  }

  async experiments(caller: Caller): Promise<ExperimentRecord[]> {
    return this.o.readModel.experimentRecords(caller.project);
  }

  async withNameLock<T>(project: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.nameLocks.get(project) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.nameLocks.set(project, tail);
    try {
      return await run;
    } finally {
      if (this.nameLocks.get(project) === tail) this.nameLocks.delete(project);
    }
  }

  async runHead(caller: Caller, runId: string): Promise<RunLifecycle> {
    const head = (await this.o.readModel.runLifecycles([runId], [caller.project])).get(runId);
    if (head === undefined) throw notFound(`Run with id=${runId} not found`);
    return head;
  }

  /** A run that takes writes: it exists and is not deleted. */
  async activeRun(caller: Caller, runId: string): Promise<RunLifecycle> {
    const head = await this.runHead(caller, runId);
    if (head.lifecycle_stage !== 'active') throw invalid(`The run ${runId} must be in the 'active' state. Current state is ${head.lifecycle_stage}.`);
    return head;
  }
}
