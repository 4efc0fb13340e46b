import type { StoredEvent } from '@trackstream/events';
import { COLLAB_TYPES, collabChanges, emptyCollab, foldCollab, type CollabChange, type CollabState } from './collab';
import { foldGraph, graphChanges, type GraphChange, type GraphEdgeRow, type GraphNodeRow } from './lineage-graph';

/**
 * The Postgres projection as pure functions. `apply(state, event)` says what an event changes, given what the
 * batch being projected has already changed (`state`); `fold(state, changes)` merges the changes into that state.
 * The adapter then merges the batch state into the stored rows with SQL that follows the same rules
 * (see `sql.ts`), so applying a stream in one batch or in many gives the same tables.
 *
 * Merge rules (the same in both places):
 * - experiments: experiment_created sets name/description/created_at; any run event makes a placeholder row
 *   for its experiment so runs projected before their experiment are still listed.
 * - runs: fields fill in (a later non-null value wins, so events before run_started still land); status is
 *   RUNNING after run_started unless a terminal status (FINISHED/FAILED/KILLED) is known, which always wins.
 * - params: the first value stays; every later occurrence with a different value is a conflict row.
 * - tags: last write in log order wins; tags_deleted removes.
 * - latest_metrics: the latest point by (step, timestamp, value); min/max ignore NaN (null when every value
 *   was NaN) but keep ±Infinity; count counts every point, NaN included.
 * - artifacts: one row per (run, path), last logged wins. lineage: one row per distinct reference, first kept.
 * - experiment_renamed / _deleted / _restored: the latest in log order sets the name / lifecycle stage; every
 *   experiment event moves last_update_time forward. experiment_tags_set / _deleted: as run tags.
 * - run_deleted / run_restored: lifecycle_stage (null means never deleted: active). run_updated: the name and end
 *   time as any run event (later non-null wins); its status merges by the status rule above, so a RUNNING after a
 *   terminal status does not reopen a run.
 * - lineage graph (lineage-graph.ts): nodes and edges only added, the earliest sighting kept.
 * - collaboration (collab.ts): notes, annotations, stars, pins, saved views. Their experiment-level events (notes
 *   and views with no run_id) make the experiment placeholder only: they do not move last_update_time.
 */

export type LifecycleStage = 'active' | 'deleted';

/** What experiment_renamed/_deleted/_restored/_tags_* change on the experiment row (null = unchanged). */
export interface ExperimentUpdate {
  experiment_id: string;
  project: string;
  name: string | null;
  lifecycle_stage: LifecycleStage | null;
  last_update_time: number;
}

export interface ExperimentRow {
  experiment_id: string;
  project: string;
  /** null on a placeholder made from a run event. */
  name: string | null;
  description: string | null;
  created_at: number | null;
}

export interface RunRow {
  run_id: string;
  experiment_id: string;
  project: string;
  run_name: string | null;
  user_name: string | null;
  parent_run_id: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  source_git_commit: string | null;
  source_git_branch: string | null;
  source_git_dirty: boolean | null;
  source_entry_point: string | null;
  source_host: string | null;
  context: Record<string, string> | null;
  /** null = never deleted (active). */
  lifecycle_stage: LifecycleStage | null;
}

export interface ParamRow {
  run_id: string;
  key: string;
  value: string;
  event_id: string;
  logged_at: number;
}

export interface MetricRow {
  run_id: string;
  key: string;
  value: number;
  step: number;
  timestamp: number;
  min_value: number | null;
  max_value: number | null;
  count: number;
}

export interface ArtifactRow {
  run_id: string;
  path: string;
  uri: string;
  size_bytes: number | null;
  sha256: string | null;
  media_type: string | null;
  logged_at: number;
}

export interface LineageRow {
  run_id: string;
  direction: 'input' | 'output';
  kind: string;
  name: string;
  version: string | null;
  digest: string | null;
  logged_at: number;
}

export type Change =
  | { kind: 'experiment'; row: ExperimentRow }
  | { kind: 'experiment_update'; row: ExperimentUpdate }
  /** value null = deleted. */
  | { kind: 'experiment_tag'; experiment_id: string; key: string; value: string | null }
  | { kind: 'run'; row: RunRow }
  | { kind: 'param'; row: ParamRow }
  | { kind: 'param_conflict'; row: ParamRow; first_value: string }
  | { kind: 'tag'; run_id: string; key: string; value: string | null }
  | { kind: 'metric_point'; run_id: string; key: string; value: number; step: number; timestamp: number }
  | { kind: 'artifact'; row: ArtifactRow }
  | { kind: 'lineage'; row: LineageRow }
  | GraphChange
  | CollabChange;

/** What one batch changes, row by row (keys are `a\u0000b`). */
export interface ProjectionState {
  experiments: Map<string, ExperimentRow>;
  experimentUpdates: Map<string, ExperimentUpdate>;
  /** null value = deleted. */
  experimentTags: Map<string, { experiment_id: string; key: string; value: string | null }>;
  runs: Map<string, RunRow>;
  /** First value per (run, key) in this batch. */
  params: Map<string, ParamRow>;
  /** Every param occurrence, in order: the SQL finds conflicts with values stored by earlier batches from these. */
  paramLog: ParamRow[];
  paramConflicts: ParamRow[];
  /** null value = deleted. */
  tags: Map<string, { run_id: string; key: string; value: string | null }>;
  metrics: Map<string, MetricRow>;
  artifacts: Map<string, ArtifactRow>;
  lineage: Map<string, LineageRow>;
  graphNodes: Map<string, GraphNodeRow>;
  /** Keyed src, dst, relation. */
  graphEdges: Map<string, GraphEdgeRow>;
  collab: CollabState;
}

export function emptyState(): ProjectionState {
  return {
    experiments: new Map(),
    experimentUpdates: new Map(),
    experimentTags: new Map(),
    runs: new Map(),
    params: new Map(),
    paramLog: [],
    paramConflicts: [],
    tags: new Map(),
    metrics: new Map(),
    artifacts: new Map(),
    lineage: new Map(),
    graphNodes: new Map(),
    graphEdges: new Map(),
    collab: emptyCollab(),
  };
}

export const TERMINAL_STATUSES: readonly string[] = ['FINISHED', 'FAILED', 'KILLED'];

const k = (a: string, b: string) => `${a}\u0000${b}`;

function blankRun(run_id: string, experiment_id: string, project: string): RunRow {
  return {
    run_id,
    experiment_id,
    project,
    run_name: null,
    user_name: null,
    parent_run_id: null,
    status: null,
    start_time: null,
    end_time: null,
    source_git_commit: null,
    source_git_branch: null,
    source_git_dirty: null,
    source_entry_point: null,
    source_host: null,
    context: null,
    lifecycle_stage: null,
  };
}

/** Experiment-level events other than experiment_created: what they change on the experiment. */
function applyExperimentChange(event: StoredEvent): Change[] {
  const update: ExperimentUpdate = {
    experiment_id: event.experiment_id, project: event.project, name: null, lifecycle_stage: null, last_update_time: event.occurred_at,
  };
  const changes: Change[] = [{ kind: 'experiment_update', row: update }];
  switch (event.type) {
    case 'experiment_renamed':
      update.name = event.payload.name;
      break;
    case 'experiment_deleted':
      update.lifecycle_stage = 'deleted';
      break;
    case 'experiment_restored':
      update.lifecycle_stage = 'active';
      break;
    case 'experiment_tags_set':
      for (const [key, value] of Object.entries(event.payload.tags)) changes.push({ kind: 'experiment_tag', experiment_id: event.experiment_id, key, value });
      break;
    case 'experiment_tags_deleted':
      for (const key of event.payload.keys) changes.push({ kind: 'experiment_tag', experiment_id: event.experiment_id, key, value: null });
      break;
  }
  return changes;
}

/** What `event` changes, given the batch so far. Pure: `state` is only read. */
export function apply(state: ProjectionState, event: StoredEvent): Change[] {
  if (event.type === 'experiment_created') {
    const changes: Change[] = [
      {
        kind: 'experiment',
        row: { experiment_id: event.experiment_id, project: event.project, name: event.payload.name, description: event.payload.description, created_at: event.occurred_at },
      },
    ];
    for (const [key, value] of Object.entries(event.payload.tags)) changes.push({ kind: 'experiment_tag', experiment_id: event.experiment_id, key, value });
    return changes;
  }
  const placeholder: Change = { kind: 'experiment', row: { experiment_id: event.experiment_id, project: event.project, name: null, description: null, created_at: null } };
  if (event.run_id === null) return COLLAB_TYPES.has(event.type) ? [placeholder, ...collabChanges(event)] : applyExperimentChange(event);

  const run_id = event.run_id;
  const changes: Change[] = [placeholder, ...graphChanges(event), ...collabChanges(event)];
  const run = blankRun(run_id, event.experiment_id, event.project);
  changes.push({ kind: 'run', row: run });

  switch (event.type) {
    case 'run_started': {
      const p = event.payload;
      run.run_name = p.run_name;
      run.user_name = p.user;
      run.parent_run_id = p.parent_run_id;
      run.status = 'RUNNING';
      run.start_time = p.start_time;
      run.source_git_commit = p.source.git_commit;
      run.source_git_branch = p.source.git_branch;
      run.source_git_dirty = p.source.git_dirty;
      run.source_entry_point = p.source.entry_point;
      run.source_host = p.source.host;
      run.context = p.context;
      for (const [key, value] of Object.entries(p.tags)) changes.push({ kind: 'tag', run_id, key, value });
      break;
    }
    case 'run_completed':
      run.status = event.payload.status;
      run.end_time = event.payload.end_time;
      break;
    case 'run_updated':
      run.run_name = event.payload.run_name;
      run.status = event.payload.status;
      run.end_time = event.payload.end_time;
      break;
    case 'run_deleted':
      run.lifecycle_stage = 'deleted';
      break;
    case 'run_restored':
      run.lifecycle_stage = 'active';
      break;
    case 'params_logged':
      for (const [key, value] of Object.entries(event.payload.params)) {
        const row: ParamRow = { run_id, key, value, event_id: event.event_id, logged_at: event.occurred_at };
        const first = state.params.get(k(run_id, key));
        if (first !== undefined && first.value !== value) changes.push({ kind: 'param_conflict', row, first_value: first.value });
        else changes.push({ kind: 'param', row });
      }
      break;
    case 'metrics_logged':
      for (const p of event.payload.points) changes.push({ kind: 'metric_point', run_id, key: p.key, value: p.value, step: p.step, timestamp: p.timestamp });
      break;
    case 'tags_set':
      for (const [key, value] of Object.entries(event.payload.tags)) changes.push({ kind: 'tag', run_id, key, value });
      break;
    case 'tags_deleted':
      for (const key of event.payload.keys) changes.push({ kind: 'tag', run_id, key, value: null });
      break;
    case 'artifact_logged': {
      const p = event.payload;
      changes.push({
        kind: 'artifact',
        row: { run_id, path: p.path, uri: p.uri, size_bytes: p.size_bytes, sha256: p.sha256, media_type: p.media_type, logged_at: event.occurred_at },
      });
      break;
    }
    case 'lineage_recorded':
      for (const [direction, refs] of [
        ['input', event.payload.inputs],
        ['output', event.payload.outputs],
      ] as const) {
        for (const ref of refs) {
          changes.push({
            kind: 'lineage',
            row: { run_id, direction, kind: ref.kind, name: ref.name, version: ref.version, digest: ref.digest, logged_at: event.occurred_at },
          });
        }
      }
      break;
  }
  return changes;
}

/** Merges changes into the batch state (mutates and returns it: a batch can hold a million metric points). */
export function fold(state: ProjectionState, changes: readonly Change[]): ProjectionState {
  for (const c of changes) {
    switch (c.kind) {
      case 'experiment': {
        const prev = state.experiments.get(c.row.experiment_id);
        if (prev === undefined || c.row.created_at !== null) state.experiments.set(c.row.experiment_id, { ...c.row });
        break;
      }
      case 'experiment_update': {
        const prev = state.experimentUpdates.get(c.row.experiment_id);
        state.experimentUpdates.set(c.row.experiment_id, prev === undefined ? { ...c.row } : {
          ...prev,
          name: c.row.name ?? prev.name,
          lifecycle_stage: c.row.lifecycle_stage ?? prev.lifecycle_stage,
          last_update_time: Math.max(prev.last_update_time, c.row.last_update_time),
        });
        break;
      }
      case 'experiment_tag':
        state.experimentTags.set(k(c.experiment_id, c.key), { experiment_id: c.experiment_id, key: c.key, value: c.value });
        break;
      case 'run': {
        const prev = state.runs.get(c.row.run_id);
        state.runs.set(c.row.run_id, prev === undefined ? { ...c.row } : mergeRun(prev, c.row));
        break;
      }
      case 'param': {
        const key = k(c.row.run_id, c.row.key);
        if (!state.params.has(key)) state.params.set(key, c.row);
        state.paramLog.push(c.row);
        break;
      }
      case 'param_conflict':
        state.paramConflicts.push(c.row);
        state.paramLog.push(c.row);
        break;
      case 'tag':
        state.tags.set(k(c.run_id, c.key), { run_id: c.run_id, key: c.key, value: c.value });
        break;
      case 'metric_point': {
        const key = k(c.run_id, c.key);
        state.metrics.set(key, mergeMetric(state.metrics.get(key), c));
        break;
      }
      case 'artifact':
        state.artifacts.set(k(c.row.run_id, c.row.path), c.row);
        break;
      case 'lineage': {
        const r = c.row;
        const key = [r.run_id, r.direction, r.kind, r.name, r.version ?? '', r.digest ?? ''].join('\u0000');
        if (!state.lineage.has(key)) state.lineage.set(key, r);
        break;
      }
      case 'graph_node':
      case 'graph_edge':
        foldGraph(state.graphNodes, state.graphEdges, c);
        break;
      case 'note':
      case 'annotation':
      case 'star':
      case 'pin':
      case 'view':
        foldCollab(state.collab, c);
        break;
    }
  }
  return state;
}

/** Folds a whole sequence of events (a batch) from an empty state. */
export function project(events: Iterable<StoredEvent>, state: ProjectionState = emptyState()): ProjectionState {
  for (const e of events) fold(state, apply(state, e));
  return state;
}

export function mergeRun(prev: RunRow, next: RunRow): RunRow {
  return {
    run_id: prev.run_id,
    experiment_id: prev.experiment_id,
    project: prev.project,
    run_name: next.run_name ?? prev.run_name,
    user_name: next.user_name ?? prev.user_name,
    parent_run_id: next.parent_run_id ?? prev.parent_run_id,
    status: mergeStatus(prev.status, next.status),
    start_time: next.start_time ?? prev.start_time,
    end_time: next.end_time ?? prev.end_time,
    source_git_commit: next.source_git_commit ?? prev.source_git_commit,
    source_git_branch: next.source_git_branch ?? prev.source_git_branch,
    source_git_dirty: next.source_git_dirty ?? prev.source_git_dirty,
    source_entry_point: next.source_entry_point ?? prev.source_entry_point,
    source_host: next.source_host ?? prev.source_host,
    context: next.context ?? prev.context,
    lifecycle_stage: next.lifecycle_stage ?? prev.lifecycle_stage,
  };
}

/** A terminal status always wins (the latest one); RUNNING only fills an unknown status. */
export function mergeStatus(prev: string | null, next: string | null): string | null {
  if (next !== null && TERMINAL_STATUSES.includes(next)) return next;
  return prev ?? next;
}

/** Orders values as Postgres orders float8: NaN above everything, equal to itself. */
export function compareValues(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether point b is later than point a: by step, then timestamp, then value (so ties resolve the same everywhere). */
export function isLater(a: { step: number; timestamp: number; value: number }, b: { step: number; timestamp: number; value: number }): boolean {
  if (b.step !== a.step) return b.step > a.step;
  if (b.timestamp !== a.timestamp) return b.timestamp > a.timestamp;
  return compareValues(b.value, a.value) > 0;
}

export function mergeMetric(prev: MetricRow | undefined, p: { run_id: string; key: string; value: number; step: number; timestamp: number }): MetricRow {
  const finite = !Number.isNaN(p.value);
  if (prev === undefined) {
    return {
      run_id: p.run_id,
      key: p.key,
      value: p.value,
      step: p.step,
      timestamp: p.timestamp,
      min_value: finite ? p.value : null,
      max_value: finite ? p.value : null,
      count: 1,
    };
  }
  const latest = isLater(prev, p) ? p : prev;
  return {
    run_id: prev.run_id,
    key: prev.key,
    value: latest.value,
    step: latest.step,
    timestamp: latest.timestamp,
    min_value: finite ? (prev.min_value === null ? p.value : Math.min(prev.min_value, p.value)) : prev.min_value,
    max_value: finite ? (prev.max_value === null ? p.value : Math.max(prev.max_value, p.value)) : prev.max_value,
    count: prev.count + 1,
  };
}
