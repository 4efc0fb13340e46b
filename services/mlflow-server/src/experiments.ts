import { LIMITS } from '@trackstream/events';
import {
  DEFAULT_EXPERIMENT_ID, MlflowError, checkKey, compareExperiments, decodeOffsetToken, fromWireExperimentId, invalid, matchesExperiment,
  mlflowExperiment, newExperimentId, notFound, pageOf, parseExperimentFilter, parseExperimentOrder, proto,
} from '@trackstream/mlflow-protocol';
import type { ExperimentRecord } from '@trackstream/read-model';
import type { Caller } from './auth';
import { PG_ONLY, type Tracking } from './tracking';

type Message = proto.Message;
const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
const VIEW_TYPE_NUMBERS = { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' } as const;
export const MAX_EXPERIMENTS_PER_PAGE = 50_000;

export function viewType(m: Message, field: string): 'active' | 'deleted' | 'all' {
  const v = proto.optEnum(m, field, VIEW_TYPES, VIEW_TYPE_NUMBERS) ?? 'ACTIVE_ONLY';
  return v === 'ACTIVE_ONLY' ? 'active' : v === 'DELETED_ONLY' ? 'deleted' : 'all';
}

function experimentName(m: Message, field: string): string {
  const name = proto.reqString(m, field);
  if (name.trim() === '') throw invalid(`Invalid experiment name: '${name}'`);
  if (name.length > 500) throw invalid(`Invalid experiment name: it exceeds 500 characters`);
  return name;
}

function tagValue(value: string, field: string): string {
  if (value.length > LIMITS.tagValueLength) throw invalid(`Invalid value for parameter '${field}' supplied: the value exceeds the maximum length of ${LIMITS.tagValueLength}`);
  return value;
}

async function nameTaken(t: Tracking, caller: Caller, name: string): Promise<ExperimentRecord | undefined> {
  return (await t.experiments(caller)).find((e) => e.name === name);
}

export async function createExperiment(t: Tracking, caller: Caller, m: Message) {
  const name = experimentName(m, 'name');
  const tags: Record<string, string> = {};
  proto.keyValues(m, 'tags').forEach(({ key, value }, i) => {
    checkKey(key, `tags[${i}].key`);
    tags[key] = tagValue(value, `tags[${i}].value`);
  });
  return t.withNameLock(caller.project, async () => {
    const taken = await nameTaken(t, caller, name);
    if (taken) {
      throw new MlflowError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${name}) already exists.${taken.lifecycle_stage === 'deleted' ? ' It is in the deleted state: restore it or choose another name.' : ''}`);
    }
    const id = newExperimentId();
    await t.append(caller, [{ type: 'experiment_created', experiment_id: id, run_id: null, payload: { name, description: null, tags } }], PG_ONLY);
    return { experiment_id: id };
  });
}

export async function getExperiment(t: Tracking, caller: Caller, m: Message) {
  return { experiment: mlflowExperiment(await t.experiment(caller, proto.reqString(m, 'experiment_id')), caller.project) };
}

export async function getExperimentByName(t: Tracking, caller: Caller, m: Message) {
  const name = proto.reqString(m, 'experiment_name');
  const found = await nameTaken(t, caller, name);
  if (!found) throw notFound(`Could not find experiment with name '${name}'`);
  return { experiment: mlflowExperiment(found, caller.project) };
}

export async function searchExperiments(t: Tracking, caller: Caller, m: Message) {
  const maxResults = proto.optInt(m, 'max_results') ?? 1000;
  if (maxResults < 1 || maxResults > MAX_EXPERIMENTS_PER_PAGE) throw invalid(`Invalid value ${maxResults} for parameter 'max_results' supplied: it must be between 1 and ${MAX_EXPERIMENTS_PER_PAGE}`);
  const filter = proto.optString(m, 'filter');
  const orderBy = proto.stringList(m, 'order_by');
  const stage = viewType(m, 'view_type');
  const conditions = parseExperimentFilter(filter);
  const order = parseExperimentOrder(orderBy);
  const query = { filter: filter ?? '', orderBy, stage };
  const offset = decodeOffsetToken(proto.optString(m, 'page_token'), query);
  const all = (await t.experiments(caller))
    .filter((e) => stage === 'all' || e.lifecycle_stage === stage)
    .filter((e) => matchesExperiment(e, conditions))
    .sort(compareExperiments(order));
  const page = pageOf(all, offset, maxResults, query);
  return { experiments: page.items.map((e) => mlflowExperiment(e, caller.project)), ...(page.nextPageToken === null ? {} : { next_page_token: page.nextPageToken }) };
}

export async function updateExperiment(t: Tracking, caller: Caller, m: Message) {
  const wireId = proto.reqString(m, 'experiment_id');
  const newName = experimentName(m, 'new_name');
  return t.withNameLock(caller.project, async () => {
    const e = await t.experiment(caller, wireId);
    if (e.lifecycle_stage !== 'active') throw invalid(`Cannot rename a non-active experiment ${wireId}`);
    if (e.name === newName) return {};
    if (await nameTaken(t, caller, newName)) throw new MlflowError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${newName}) already exists.`);
    await t.append(caller, [{ type: 'experiment_renamed', experiment_id: e.experiment_id, run_id: null, payload: { name: newName } }], PG_ONLY);
    return {};
  });
}

export async function deleteExperiment(t: Tracking, caller: Caller, m: Message) {
  const wireId = proto.reqString(m, 'experiment_id');
  if (wireId === DEFAULT_EXPERIMENT_ID) throw invalid(`Cannot delete the default experiment '${DEFAULT_EXPERIMENT_ID}'. This is an internally reserved experiment.`);
  const e = await t.experiment(caller, wireId);
  if (e.lifecycle_stage === 'deleted') return {};
  await t.append(caller, [{ type: 'experiment_deleted', experiment_id: e.experiment_id, run_id: null, payload: {} }], PG_ONLY);
  return {};
}

export async function restoreExperiment(t: Tracking, caller: Caller, m: Message) {
  const e = await t.experiment(caller, proto.reqString(m, 'experiment_id'));
  if (e.lifecycle_stage === 'active') return {};
  await t.append(caller, [{ type: 'experiment_restored', experiment_id: e.experiment_id, run_id: null, payload: {} }], PG_ONLY);
  return {};
}

export async function setExperimentTag(t: Tracking, caller: Caller, m: Message) {
  const wireId = proto.reqString(m, 'experiment_id');
  const key = proto.reqString(m, 'key');
  checkKey(key, 'key');
  const value = tagValue(proto.optString(m, 'value') ?? '', 'value');
  const e = await t.experiment(caller, wireId);
  if (e.lifecycle_stage !== 'active') throw invalid(`The experiment ${wireId} must be in the 'active' state. Current state is ${e.lifecycle_stage}.`);
  await t.append(caller, [{ type: 'experiment_tags_set', experiment_id: e.experiment_id, run_id: null, payload: { tags: { [key]: value } } }], PG_ONLY);
  return {};
}

export async function deleteExperimentTag(t: Tracking, caller: Caller, m: Message) {
  const wireId = proto.reqString(m, 'experiment_id');
  const key = proto.reqString(m, 'key');
  checkKey(key, 'key');
  const e = await t.experiment(caller, wireId);
  if (e.tags[key] === undefined) throw notFound(`No tag with name: ${key} in experiment with id ${wireId}`);
  await t.append(caller, [{ type: 'experiment_tags_deleted', experiment_id: e.experiment_id, run_id: null, payload: { keys: [key] } }], PG_ONLY);
  return {};
}

/** The stored id of an experiment the caller names, checked to exist. */
export async function resolveExperimentIds(t: Tracking, caller: Caller, wireIds: readonly string[]): Promise<string[]> {
  return wireIds.map((id) => fromWireExperimentId(id, caller.project));
}
