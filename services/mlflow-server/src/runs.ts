import { LIMITS, type MetricPoint } from '@trackstream/events';
import {
  MLFLOW_LIMITS, SYSTEM_TAGS, checkKey, derivedEventId, fromWireExperimentId, invalid, mlflowRun, mlflowRunInfo, newRunId, notFound, proto, randomRunName,
  runFieldsFromTags, type LifecycleStage,
} from '@trackstream/mlflow-protocol';
import type { RunView } from '@trackstream/read-model';
import { MAX_MAX_RESULTS, SearchError } from '@trackstream/search';
import type { Caller } from './auth';
import { viewType } from './experiments';
import { PG_ONLY, type Draft, type Tracking } from './tracking';

type Message = proto.Message;
const RUN_STATES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
const RUN_STATE_NUMBERS = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' } as const;

const runIdOf = (m: Message) => proto.reqString(m, 'run_id', 'run_uuid');

/** Tags of a request, each key by MLflow's rule and each value within our limit. */
export function readTags(list: { key: string; value: string }[], field: string): Record<string, string> {
  const tags: Record<string, string> = {};
  list.forEach(({ key, value }, i) => {
    checkKey(key, `${field}[${i}].key`);
    if (value.length > LIMITS.tagValueLength) throw invalid(`Invalid value for parameter '${field}[${i}].value' supplied: the tag value exceeds the maximum length of ${LIMITS.tagValueLength}`);
    tags[key] = value;
  });
  return tags;
}

export function readParams(list: { key: string; value: string }[], field: string): Record<string, string> {
  const params: Record<string, string> = {};
  list.forEach(({ key, value }, i) => {
    checkKey(key, `${field}[${i}].key`);
    if (value.length > LIMITS.paramValueLength) throw invalid(`Invalid value for parameter '${field}[${i}].value' supplied: the param value exceeds the maximum length of ${LIMITS.paramValueLength}`);
    const prev = params[key];
    if (prev !== undefined && prev !== value) throw invalid(`Duplicate parameter keys have been submitted: '${key}' with values '${prev}' and '${value}'`);
    params[key] = value;
  });
  return params;
}

export function readMetric(m: Message, field: string): MetricPoint {
  const key = proto.reqString(m, 'key');
  checkKey(key, `${field}.key`);
  return { key, value: proto.reqDouble(m, 'value'), timestamp: proto.reqInt(m, 'timestamp'), step: proto.optInt(m, 'step') ?? 0 };
}

/** Refuses a param whose key already has another value (a param is immutable: the first value stays). Returns the params still to log. */
async function newParams(t: Tracking, runId: string, params: Record<string, string>): Promise<Record<string, string>> {
  const existing = await t.o.readModel.paramValues(runId, Object.keys(params));
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const prev = existing.get(key);
    if (prev === undefined) out[key] = value;
    else if (prev !== value) {
      throw invalid(`Changing param values is not allowed. Param with key='${key}' was already logged with value='${prev}' for run ID='${runId}'. Attempted logging new value '${value}'.`);
    }
  }
  return out;
}

/**
 * Metric points and params are facts that logging twice does not change, so their event id derives from the run and
 * the content: a client's retry of a write that answered 503 after it reached the log appends the same event id,
 * which the projectors apply once. (Tags are not: a=1, a=2, a=1 must end as 1.)
 */
export function contentEventId(kind: 'metrics' | 'params', runId: string, content: unknown): string {
  return derivedEventId(`mlflow-${kind}`, runId, JSON.stringify(content, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

/** A tag that is also a run field updates the field too (mlflow.runName → run_name). */
function tagDrafts(experimentId: string, runId: string, tags: Record<string, string>): Draft[] {
  const drafts: Draft[] = [{ type: 'tags_set', experiment_id: experimentId, run_id: runId, payload: { tags } }];
  const name = tags[SYSTEM_TAGS.runName];
  if (name !== undefined) drafts.push({ type: 'run_updated', experiment_id: experimentId, run_id: runId, payload: { run_name: name, status: null, end_time: null } });
  return drafts;
}

async function loadRun(t: Tracking, caller: Caller, runId: string): Promise<{ view: RunView; stage: LifecycleStage }> {
  const [views, heads] = await Promise.all([t.o.readModel.loadRuns([runId], [caller.project]), t.o.readModel.runLifecycles([runId], [caller.project])]);
  const view = views[0];
  const head = heads.get(runId);
  if (view === undefined || head === undefined) throw notFound(`Run with id=${runId} not found`);
  return { view, stage: head.lifecycle_stage };
}

export async function createRun(t: Tracking, caller: Caller, m: Message) {
  const wireExperiment = proto.reqString(m, 'experiment_id');
  const tags = readTags(proto.keyValues(m, 'tags'), 'tags');
  const userId = proto.optString(m, 'user_id');
  const startTime = proto.optInt(m, 'start_time') ?? t.o.now();
  const explicitName = proto.optString(m, 'run_name');
  const experiment = await t.experiment(caller, wireExperiment);
  if (experiment.lifecycle_stage !== 'active') throw invalid(`The experiment ${wireExperiment} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`);
  const fields = runFieldsFromTags(tags);
  const runName = explicitName || fields.run_name || randomRunName();
  tags[SYSTEM_TAGS.runName] = runName;
  const user = userId || fields.user;
  const runId = newRunId(t.o.uuid);
  await t.append(
    caller,
    [{ type: 'run_started', experiment_id: experiment.experiment_id, run_id: runId, payload: { run_name: runName, user, parent_run_id: fields.parent_run_id, source: fields.source, start_time: startTime, tags, context: {} } }],
    PG_ONLY,
  );
  const facts = { ...fields, run_id: runId, experiment_id: experiment.experiment_id, run_name: runName, user, status: 'RUNNING', start_time: startTime, end_time: null, params: {}, tags, metrics: {}, lineage: { inputs: [] } };
  return { run: mlflowRun(facts, caller.project, 'active') };
}

export async function getRun(t: Tracking, caller: Caller, m: Message) {
  const { view, stage } = await loadRun(t, caller, runIdOf(m));
  return { run: mlflowRun(view, caller.project, stage) };
}

export async function updateRun(t: Tracking, caller: Caller, m: Message) {
  const runId = runIdOf(m);
  const status = proto.optEnum(m, 'status', RUN_STATES, RUN_STATE_NUMBERS) ?? null;
  const endTime = proto.optInt(m, 'end_time') ?? null;
  const runName = proto.optString(m, 'run_name') || null;
  const head = await t.activeRun(caller, runId);
  const drafts: Draft[] = [{ type: 'run_updated', experiment_id: head.experiment_id, run_id: runId, payload: { run_name: runName, status, end_time: endTime } }];
  if (runName !== null) drafts.push({ type: 'tags_set', experiment_id: head.experiment_id, run_id: runId, payload: { tags: { [SYSTEM_TAGS.runName]: runName } } });
  await t.append(caller, drafts, PG_ONLY);
  const { view, stage } = await loadRun(t, caller, runId);
  return { run_info: mlflowRunInfo(view, caller.project, stage) };
}

export async function deleteRun(t: Tracking, caller: Caller, m: Message) {
  const head = await t.runHead(caller, runIdOf(m));
  if (head.lifecycle_stage !== 'deleted') await t.append(caller, [{ type: 'run_deleted', experiment_id: head.experiment_id, run_id: head.run_id, payload: {} }], PG_ONLY);
  return {};
}

export async function restoreRun(t: Tracking, caller: Caller, m: Message) {
  const head = await t.runHead(caller, runIdOf(m));
  if (head.lifecycle_stage !== 'active') await t.append(caller, [{ type: 'run_restored', experiment_id: head.experiment_id, run_id: head.run_id, payload: {} }], PG_ONLY);
  return {};
}

export async function searchRuns(t: Tracking, caller: Caller, m: Message) {
  const experimentIds = proto.stringList(m, 'experiment_ids').map((id) => fromWireExperimentId(id, caller.project));
  const filter = proto.optString(m, 'filter');
  const lifecycle = viewType(m, 'run_view_type');
  const maxResults = proto.optInt(m, 'max_results') ?? 1000;
  if (maxResults < 1 || maxResults > 50_000) throw invalid(`Invalid value ${maxResults} for parameter 'max_results' supplied: it must be between 1 and 50000`);
  const orderBy = proto.stringList(m, 'order_by');
  const pageToken = proto.optString(m, 'page_token') || undefined;
  let search;
  try {
    search = t.o.readModel.prepareSearch({
      experimentIds, projects: [caller.project], filter, orderBy,
      // Pages above our bound come back in pieces with a next_page_token, which MLflow's client follows.
      maxResults: Math.min(maxResults, MAX_MAX_RESULTS), pageToken, lifecycle,
    });
  } catch (err) {
    if (err instanceof SearchError) throw invalid(`Invalid search: ${err.message}`);
    throw err;
  }
  const page = await search.execute();
  const heads = await t.o.readModel.runLifecycles(page.runs.map((r) => r.run_id), [caller.project]);
  return {
    runs: page.runs.map((v) => mlflowRun(v, caller.project, heads.get(v.run_id)?.lifecycle_stage ?? 'active')),
    ...(page.nextPageToken === null ? {} : { next_page_token: page.nextPageToken }),
  };
}

export async function logMetric(t: Tracking, caller: Caller, m: Message) {
  const runId = runIdOf(m);
  const point = readMetric(m, 'metric');
  const head = await t.activeRun(caller, runId);
  await t.appendWithMetrics(caller, runId, [{ type: 'metrics_logged', experiment_id: head.experiment_id, run_id: runId, event_id: contentEventId('metrics', runId, [point]), payload: { points: [point] } }]);
  return {};
}

export async function logParam(t: Tracking, caller: Caller, m: Message) {
  const runId = runIdOf(m);
  const params = readParams([{ key: proto.reqString(m, 'key'), value: proto.optString(m, 'value') ?? '' }], 'param');
  const head = await t.activeRun(caller, runId);
  const fresh = await newParams(t, runId, params);
  if (Object.keys(fresh).length > 0) {
    await t.append(caller, [{ type: 'params_logged', experiment_id: head.experiment_id, run_id: runId, event_id: contentEventId('params', runId, fresh), payload: { params: fresh } }], PG_ONLY);
  }
  return {};
}

export async function setTag(t: Tracking, caller: Caller, m: Message) {
  const runId = runIdOf(m);
  const tags = readTags([{ key: proto.reqString(m, 'key'), value: proto.optString(m, 'value') ?? '' }], 'tag');
  const head = await t.activeRun(caller, runId);
  await t.append(caller, tagDrafts(head.experiment_id, runId, tags), PG_ONLY);
  return {};
}

export async function deleteTag(t: Tracking, caller: Caller, m: Message) {
  const runId = runIdOf(m);
  const key = proto.reqString(m, 'key');
  checkKey(key, 'key');
  const head = await t.activeRun(caller, runId);
  const { view } = await loadRun(t, caller, runId);
  if (view.tags[key] === undefined) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
  await t.append(caller, [{ type: 'tags_deleted', experiment_id: head.experiment_id, run_id: runId, payload: { keys: [key] } }], PG_ONLY);
  return {};
}

export async function logBatch(t: Tracking, caller: Caller, m: Message) {
  const runId = runIdOf(m);
  const metricMessages = proto.messageList(m, 'metrics');
  const paramList = proto.keyValues(m, 'params');
  const tagList = proto.keyValues(m, 'tags');
  if (metricMessages.length > MLFLOW_LIMITS.metricsPerBatch) throw invalid(`A batch logging request can contain at most ${MLFLOW_LIMITS.metricsPerBatch} metrics. Got ${metricMessages.length} metrics.`);
  if (paramList.length > MLFLOW_LIMITS.paramsAndTagsPerBatch) throw invalid(`A batch logging request can contain at most ${MLFLOW_LIMITS.paramsAndTagsPerBatch} params. Got ${paramList.length} params.`);
  if (tagList.length > MLFLOW_LIMITS.paramsAndTagsPerBatch) throw invalid(`A batch logging request can contain at most ${MLFLOW_LIMITS.paramsAndTagsPerBatch} tags. Got ${tagList.length} tags.`);
  const total = metricMessages.length + paramList.length + tagList.length;
  if (total > MLFLOW_LIMITS.entitiesPerBatch) throw invalid(`A batch logging request can contain at most ${MLFLOW_LIMITS.entitiesPerBatch} metrics, params and tags in total. Got ${total}.`);
  const points = metricMessages.map((x, i) => readMetric(x, `metrics[${i}]`));
  const params = readParams(paramList, 'params');
  const tags = readTags(tagList, 'tags');
  const head = await t.activeRun(caller, runId);
  const fresh = await newParams(t, runId, params);
  const drafts: Draft[] = [];
  if (Object.keys(fresh).length > 0) drafts.push({ type: 'params_logged', experiment_id: head.experiment_id, run_id: runId, event_id: contentEventId('params', runId, fresh), payload: { params: fresh } });
  if (Object.keys(tags).length > 0) drafts.push(...tagDrafts(head.experiment_id, runId, tags));
  if (points.length > 0) drafts.push({ type: 'metrics_logged', experiment_id: head.experiment_id, run_id: runId, event_id: contentEventId('metrics', runId, points), payload: { points } });
  if (points.length > 0) await t.appendWithMetrics(caller, runId, drafts);
  else await t.append(caller, drafts, PG_ONLY);
  return {};
}

/** Datasets become lineage inputs (kind dataset, name, digest); MLflow's source and schema are not kept. */
export async function logInputs(t: Tracking, caller: Caller, m: Message) {
  const runId = runIdOf(m);
  const inputs = proto.messageList(m, 'datasets').map((d, i) => {
    const dataset = proto.asMessage(d['dataset'], `'datasets[${i}].dataset'`);
    const name = proto.reqString(dataset, 'name');
    const digest = proto.optString(dataset, 'digest') || null;
    return { kind: 'dataset' as const, name, version: null, digest };
  });
  const head = await t.activeRun(caller, runId);
  if (inputs.length > 0) await t.append(caller, [{ type: 'lineage_recorded', experiment_id: head.experiment_id, run_id: runId, payload: { inputs, outputs: [] } }], PG_ONLY);
  return {};
}
