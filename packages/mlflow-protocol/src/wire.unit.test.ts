import { MlflowError } from './errors';
import { compareExperiments, likePattern, matchesExperiment, parseExperimentFilter, parseExperimentOrder } from './experiment-filter';
import { defaultExperimentId, derivedEventId, fromWireExperimentId, newExperimentId, newRunId, randomRunName, toWireExperimentId } from './ids';
import { decodeOffsetToken, encodeOffsetToken, pageOf } from './page-token';
import { mlflowExperiment, mlflowRun, runFieldsFromTags, tagsWithSystemTags, type ExperimentFacts, type RunFacts } from './shapes';

const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof MlflowError) return e.code;
    throw e;
  }
};

describe('experiment ids', () => {
  it('given the Default experiment "0", then each project stores its own id and reads it back as "0"', () => {
    expect(fromWireExperimentId('0', 'vision')).toBe('0.vision');
    expect(toWireExperimentId('0.vision', 'vision')).toBe('0');
    expect(toWireExperimentId('0.vision', 'nlp')).toBe('0.vision');
    expect(fromWireExperimentId('123', 'vision')).toBe('123');
  });
  it('given a project name too long for the id rule, then the Default id is a digest that fits', () => {
    const id = defaultExperimentId('p'.repeat(128));
    expect(id).toMatch(/^0\.[0-9a-f]{40}$/);
    expect(toWireExperimentId(id, 'p'.repeat(128))).toBe('0');
  });
  it('given new ids, then they have MLflow forms and derived event ids are stable UUIDs', () => {
    expect(newExperimentId()).toMatch(/^[1-9]\d{17}$/);
    expect(newRunId(() => '0b6f7c2e-1111-4222-8333-444455556666')).toBe('0b6f7c2e111142228333444455556666');
    expect(derivedEventId('a', 'b')).toBe(derivedEventId('a', 'b'));
    expect(derivedEventId('a', 'b')).not.toBe(derivedEventId('ab'));
    expect(derivedEventId('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomRunName(() => 0)).toBe('amber-badger-0');
  });
});

describe('offset page tokens', () => {
  it('given a list, then pages follow each other and the last has no token', () => {
    const q = { filter: 'x' };
    const first = pageOf([1, 2, 3, 4, 5], 0, 2, q);
    expect(first.items).toEqual([1, 2]);
    const second = pageOf([1, 2, 3, 4, 5], decodeOffsetToken(first.nextPageToken!, q), 2, q);
    expect(second.items).toEqual([3, 4]);
    const last = pageOf([1, 2, 3, 4, 5], decodeOffsetToken(second.nextPageToken!, q), 2, q);
    expect(last).toEqual({ items: [5], nextPageToken: null });
  });
  it('given a token of another query, garbage or a negative offset, then INVALID_PARAMETER_VALUE', () => {
    expect(code(() => decodeOffsetToken(encodeOffsetToken(2, { a: 1 }), { a: 2 }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => decodeOffsetToken('%%%not', {}))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => decodeOffsetToken(Buffer.from('{"o":-1,"q":"x"}').toString('base64url'), {}))).toBe('INVALID_PARAMETER_VALUE');
    expect(decodeOffsetToken(undefined, {})).toBe(0);
    expect(decodeOffsetToken('', {})).toBe(0);
  });
});

const run: RunFacts = {
  run_id: 'r1', experiment_id: '0.default', run_name: 'n', user: 'ada', parent_run_id: 'p1', status: 'FINISHED', start_time: 5, end_time: 9,
  source: { git_commit: 'abc', git_branch: null, git_dirty: null, entry_point: 'train.py', host: null },
  params: { b: '2', a: '1' }, tags: { team: 'x', 'mlflow.user': 'tagged-user' }, metrics: { loss: { value: 'NaN', step: 3, timestamp: 7 } },
  lineage: { inputs: [{ kind: 'dataset', name: 'ds', version: null, digest: 'd1' }, { kind: 'code', name: 'c', version: null, digest: null }] },
};

describe('Run and Experiment shapes', () => {
  it('given a run view, then MLflow Run JSON: info with the wire experiment id and artifact uri, sorted params, system tags', () => {
    const r = mlflowRun(run, 'default', 'active');
    expect(r.info).toEqual({
      run_id: 'r1', run_uuid: 'r1', run_name: 'n', experiment_id: '0', user_id: 'ada', status: 'FINISHED', start_time: 5, end_time: 9,
      artifact_uri: 'mlflow-artifacts:/0/r1/artifacts', lifecycle_stage: 'active',
    });
    expect(r.data.params).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
    expect(r.data.metrics).toEqual([{ key: 'loss', value: 'NaN', timestamp: 7, step: 3 }]);
    const tags = Object.fromEntries(r.data.tags.map((t) => [t.key, t.value]));
    // a stored tag wins over the field; fields without a tag appear as their system tags
    expect(tags).toEqual({ team: 'x', 'mlflow.user': 'tagged-user', 'mlflow.runName': 'n', 'mlflow.parentRunId': 'p1', 'mlflow.source.name': 'train.py', 'mlflow.source.git.commit': 'abc' });
    expect(r.inputs.dataset_inputs).toEqual([{ tags: [], dataset: { name: 'ds', digest: 'd1', source_type: 'unknown', source: '' } }]);
  });
  it('given a running run without end time or name, then no end_time and an empty name', () => {
    const info = mlflowRun({ ...run, run_name: null, end_time: null, status: null }, 'other', 'deleted').info;
    expect(info).not.toHaveProperty('end_time');
    expect(info.run_name).toBe('');
    expect(info.status).toBe('RUNNING');
    expect(info.experiment_id).toBe('0.default');
    expect(info.lifecycle_stage).toBe('deleted');
  });
  it('given system tags on create, then they map to run fields', () => {
    expect(runFieldsFromTags({ 'mlflow.runName': 'x', 'mlflow.user': 'u', 'mlflow.parentRunId': 'p', 'mlflow.source.git.branch': 'main' })).toEqual({
      run_name: 'x', user: 'u', parent_run_id: 'p', source: { git_commit: null, git_branch: 'main', git_dirty: null, entry_point: null, host: null },
    });
    expect(tagsWithSystemTags({}, { run_name: '', user: null, parent_run_id: null, source: run.source })).toEqual({ 'mlflow.source.git.commit': 'abc', 'mlflow.source.name': 'train.py' });
  });
  it('given an experiment, then MLflow Experiment JSON with lifecycle and times', () => {
    const e: ExperimentFacts = { experiment_id: '42', name: 'e', created_at: 1, last_update_time: 2, lifecycle_stage: null, tags: { k: 'v' } };
    expect(mlflowExperiment(e, 'p')).toEqual({ experiment_id: '42', name: 'e', artifact_location: 'mlflow-artifacts:/42', lifecycle_stage: 'active', last_update_time: 2, creation_time: 1, tags: [{ key: 'k', value: 'v' }] });
    expect(mlflowExperiment({ ...e, lifecycle_stage: 'deleted' }, 'p').lifecycle_stage).toBe('deleted');
  });
});

const exps: ExperimentFacts[] = [
  { experiment_id: '1', name: 'base-a', created_at: 10, last_update_time: 10, lifecycle_stage: null, tags: { group: 'a' } },
  { experiment_id: '2', name: 'base-b', created_at: 20, last_update_time: 30, lifecycle_stage: 'active', tags: { group: 'b' } },
  { experiment_id: '3', name: 'Other', created_at: 30, last_update_time: 30, lifecycle_stage: 'active', tags: {} },
];

describe('search_experiments filter and order', () => {
  const ids = (filter: string, order: string[] = []) => exps.filter((e) => matchesExperiment(e, parseExperimentFilter(filter))).sort(compareExperiments(parseExperimentOrder(order))).map((e) => e.experiment_id);
  it.each([
    ["name LIKE 'base-%'", ['2', '1']],
    ["name = 'Other'", ['3']],
    ["attributes.name ILIKE 'OTHER'", ['3']],
    ["name LIKE 'base-%' AND tags.group = 'a'", ['1']],
    ["tags.`group` != 'a'", ['2']],
    ['creation_time >= 20', ['3', '2']],
    ['last_update_time < 30', ['1']],
    ['', ['3', '2', '1']],
  ])('given %s, then %j (default order creation_time DESC)', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });
  it('given order_by, then it orders (ties by experiment id)', () => {
    expect(ids('', ['name ASC'])).toEqual(['3', '1', '2']);
    expect(ids('', ['last_update_time DESC'])).toEqual(['3', '2', '1']);
  });
  it.each(["params.x = '1'", "name = 5", 'creation_time LIKE 5', "name LIKE 'a' OR name = 'b'", 'name', "bogus = 'x'", "name = 'x' garbage", "tags. = 'x'"])('given %j, then INVALID_PARAMETER_VALUE', (filter) => {
    expect(code(() => parseExperimentFilter(filter))).toBe('INVALID_PARAMETER_VALUE');
  });
  it('given a bad order_by, then INVALID_PARAMETER_VALUE', () => {
    expect(code(() => parseExperimentOrder(['metrics.x DESC']))).toBe('INVALID_PARAMETER_VALUE');
  });
  it('given LIKE patterns with regex characters, then they match literally', () => {
    expect(likePattern('a.b(c)[d]-%', false).test('a.b(c)[d]-zz')).toBe(true);
    expect(likePattern('a.b', false).test('axb')).toBe(false);
    expect(likePattern('a_c', false).test('abc')).toBe(true);
    expect(likePattern('ABC', true).test('abc')).toBe(true);
  });
});
