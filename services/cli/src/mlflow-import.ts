// `trackstream import-mlflow`: an MLflow tracking server's experiments, runs, params, tags and metric histories,
// read through its REST API 2.0, become events appended through the EventLog port with the gateway's validation.
// Every event id derives from MLflow's ids (and a metric chunk's place in its history), so a second import of the
// same server finds its events already applied and appends nothing.
import { parseEvent, LIMITS, type EventPayloads, type EventType, type StoredEvent } from '@trackstream/events';
import type { EventLog } from '@trackstream/kafka';
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, derivedEventId, fromWireExperimentId, runFieldsFromTags } from '@trackstream/mlflow-protocol';
import { CliError, messageOf } from './errors';

type Json = Record<string, unknown>;
interface MlflowTag { key: string; value: string }
interface MlflowExperiment { experiment_id: string; name: string; lifecycle_stage: string; tags?: MlflowTag[] }
interface MlflowRun {
  info: { run_id: string; experiment_id: string; run_name?: string; user_id?: string; status?: string; start_time?: string | number; end_time?: string | number; lifecycle_stage?: string };
  data: { params?: MlflowTag[]; tags?: MlflowTag[]; metrics?: { key: string }[] };
}
interface MlflowPoint { key: string; value: number | string; timestamp: string | number; step?: string | number }

/** GET/POST JSON against an MLflow server's /api/2.0/mlflow/. */
export class MlflowRestSource {
  constructor(
    private readonly base: string,
    private readonly pageSize = 1000,
  ) {}

  private async call(method: 'GET' | 'POST', route: string, body: Json): Promise<Json> {
    let url = `${this.base.replace(/\/+$/, '')}/api/2.0/mlflow/${route}`;
    const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
    if (method === 'GET') {
      const q = new URLSearchParams(Object.entries(body).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
      url += `?${q}`;
    } else init.body = JSON.stringify(body);
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (err) {
      throw new CliError('MLFLOW_UNREACHABLE', `cannot reach the MLflow server at ${this.base}: ${messageOf(err)}`, { retriable: true, cause: err });
    }
    const text = await res.text();
    if (!res.ok) throw new CliError('MLFLOW_ERROR', `MLflow ${route} answered ${res.status}: ${text.slice(0, 300)}`, { retriable: res.status >= 500 });
    try {
      return JSON.parse(text) as Json;
    } catch {
      throw new CliError('MLFLOW_ERROR', `MLflow ${route} answered something that is not JSON: ${text.slice(0, 100)}`);
    }
  }

  /** Every page of a paged listing. */
  private async *pages<T>(method: 'GET' | 'POST', route: string, body: Json, field: string): AsyncGenerator<T[]> {
    let token: string | undefined;
    do {
      const page = await this.call(method, route, { ...body, page_token: token });
      yield (page[field] as T[] | undefined) ?? [];
      token = (page.next_page_token as string | undefined) || undefined;
    } while (token !== undefined);
  }

  async experiments(): Promise<MlflowExperiment[]> {
    const out: MlflowExperiment[] = [];
    for await (const p of this.pages<MlflowExperiment>('POST', 'experiments/search', { view_type: 'ALL', max_results: this.pageSize }, 'experiments')) out.push(...p);
    return out;
  }

  async runs(experimentId: string): Promise<MlflowRun[]> {
    const out: MlflowRun[] = [];
    const body = { experiment_ids: [experimentId], run_view_type: 'ALL', max_results: this.pageSize };
    for await (const p of this.pages<MlflowRun>('POST', 'runs/search', body, 'runs')) out.push(...p);
    return out;
  }

  async history(runId: string, key: string): Promise<MlflowPoint[]> {
    const out: MlflowPoint[] = [];
    for await (const p of this.pages<MlflowPoint>('GET', 'metrics/get-history', { run_id: runId, metric_key: key, max_results: this.pageSize }, 'metrics')) out.push(...p);
    return out;
  }
}

export interface ImportDraft<T extends EventType = EventType> {
  type: T;
  experiment_id: string;
  run_id: string | null;
  payload: EventPayloads[T];
  event_id: string;
}

const tagMap = (tags: MlflowTag[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));
const int = (v: string | number | undefined): number | null => (v === undefined || v === null || v === '' ? null : Number(v));
/** proto3 JSON writes NaN and ±Inf as strings. */
const double = (v: number | string): number => (typeof v === 'number' ? v : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v));
const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

/** The events of one experiment. MLflow's "0" is the project's Default experiment, with the MLflow server's own event id for it. */
export function experimentDrafts(e: MlflowExperiment, project: string): ImportDraft[] {
  const id = fromWireExperimentId(e.experiment_id, project);
  const isDefault = e.experiment_id === DEFAULT_EXPERIMENT_ID;
  const out: ImportDraft[] = [{
    type: 'experiment_created', experiment_id: id, run_id: null,
    event_id: isDefault ? derivedEventId('mlflow-default-experiment', project) : derivedEventId('mlflow-import', project, 'experiment', e.experiment_id),
    payload: { name: isDefault ? DEFAULT_EXPERIMENT_NAME : e.name, description: null, tags: isDefault ? {} : tagMap(e.tags) },
  }];
  if (isDefault && (e.tags ?? []).length > 0) {
    out.push({ type: 'experiment_tags_set', experiment_id: id, run_id: null, event_id: derivedEventId('mlflow-import', project, 'experiment-tags', e.experiment_id), payload: { tags: tagMap(e.tags) } });
  }
  if (e.lifecycle_stage === 'deleted') {
    out.push({ type: 'experiment_deleted', experiment_id: id, run_id: null, event_id: derivedEventId('mlflow-import', project, 'experiment-deleted', e.experiment_id), payload: {} });
  }
  return out;
}

/**
 * The events of one run: started (tags included), params, each metric's history in chunks of the event's limit
 * (chunk i of key k keeps its id while the history only grows), the final status, deleted.
 */
export function runDrafts(r: MlflowRun, histories: ReadonlyMap<string, MlflowPoint[]>, project: string): ImportDraft[] {
  const runId = r.info.run_id;
  const experimentId = fromWireExperimentId(r.info.experiment_id, project);
  const id = (...parts: string[]) => derivedEventId('mlflow-import', project, runId, ...parts);
  const tags = tagMap(r.data.tags);
  const fields = runFieldsFromTags(tags);
  const base = { experiment_id: experimentId, run_id: runId };
  const out: ImportDraft[] = [{
    ...base, type: 'run_started', event_id: id('started'),
    payload: {
      run_name: r.info.run_name || fields.run_name, user: r.info.user_id || fields.user, parent_run_id: fields.parent_run_id,
      source: fields.source, start_time: int(r.info.start_time) ?? 0, tags, context: {},
    },
  }];
  const params = (r.data.params ?? []).map((p) => [p.key, p.value] as const);
  chunks(params, LIMITS.entriesPerMap).forEach((c, i) => out.push({ ...base, type: 'params_logged', event_id: id('params', String(i)), payload: { params: Object.fromEntries(c) } }));
  for (const [key, history] of histories) {
    const points = history.map((p) => ({ key, value: double(p.value), timestamp: int(p.timestamp) ?? 0, step: int(p.step) ?? 0 }));
    points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    chunks(points, LIMITS.pointsPerEvent).forEach((c, i) => out.push({ ...base, type: 'metrics_logged', event_id: id('metrics', key, String(i)), payload: { points: c } }));
  }
  const status = r.info.status ?? 'RUNNING';
  const endTime = int(r.info.end_time);
  if (status !== 'RUNNING' || endTime !== null) {
    out.push({ ...base, type: 'run_updated', event_id: id('updated', status, String(endTime)), payload: { run_name: null, status, end_time: endTime } } as ImportDraft);
  }
  if (r.info.lifecycle_stage === 'deleted') out.push({ ...base, type: 'run_deleted', event_id: id('deleted'), payload: {} });
  return out;
}

export interface ImportSummary {
  experiments: number;
  runs: number;
  events: number;
  points: number;
  /** Already applied (an earlier import). */
  skipped: number;
  /** Refused by the event validation, with the reasons. */
  invalid: string[];
}

export interface ImportDeps {
  source: MlflowRestSource;
  eventLog: EventLog;
  project: string;
  principal: string;
  /** Which of these event ids the projection has applied already. */
  applied(ids: string[]): Promise<Set<string>>;
  progress(totalRuns: number): { advance(n: number): void; finish(): void };
  now?: () => number;
}

/** Reads everything first (a source that fails midway leaves nothing appended), then appends what is new. */
export async function importMlflow(d: ImportDeps): Promise<ImportSummary> {
  const now = d.now ?? Date.now;
  const summary: ImportSummary = { experiments: 0, runs: 0, events: 0, points: 0, skipped: 0, invalid: [] };
  const experiments = await d.source.experiments();
  const runsByExperiment = new Map<string, MlflowRun[]>();
  for (const e of experiments) runsByExperiment.set(e.experiment_id, await d.source.runs(e.experiment_id));
  const totalRuns = [...runsByExperiment.values()].reduce((n, rs) => n + rs.length, 0);
  const bar = d.progress(totalRuns);
  const drafts: ImportDraft[] = [];
  for (const e of experiments) {
    drafts.push(...experimentDrafts(e, d.project));
    for (const r of runsByExperiment.get(e.experiment_id)!) {
      const keys = [...new Set((r.data.metrics ?? []).map((m) => m.key))];
      const histories = new Map<string, MlflowPoint[]>();
      for (const k of keys) histories.set(k, await d.source.history(r.info.run_id, k));
      drafts.push(...runDrafts(r, histories, d.project));
      bar.advance(1);
    }
  }
  bar.finish();
  summary.experiments = experiments.length;
  summary.runs = totalRuns;
  for (const batch of chunks(drafts, 500)) {
    const seen = await d.applied(batch.map((x) => x.event_id));
    const events: StoredEvent[] = [];
    for (const x of batch) {
      if (seen.has(x.event_id)) {
        summary.skipped++;
        continue;
      }
      const t = now();
      const parsed = parseEvent({ event_id: x.event_id, type: x.type, project: d.project, experiment_id: x.experiment_id, run_id: x.run_id, occurred_at: t, payload: x.payload });
      if (!parsed.ok) {
        summary.invalid.push(`${x.type} ${x.run_id ?? x.experiment_id}: ${parsed.problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ')}`);
        continue;
      }
      events.push({ ...parsed.event, received_at: t, principal: d.principal } as StoredEvent);
      if (x.type === 'metrics_logged') summary.points += (x.payload as EventPayloads['metrics_logged']).points.length;
    }
    if (events.length > 0) await d.eventLog.append(events);
    summary.events += events.length;
  }
  return summary;
}
