import { TestEvents } from '@trackstream/projection-core/testing';
import type { StoredEvent } from '@trackstream/events';
import { apply, emptyState, fold, project, type Change } from './model';

// Given/when/then over the pure projection: `given` events are folded into a batch state, `when` one more
// event is applied, `then` we look at the changes it produced and at the resulting rows.
function given(...events: StoredEvent[]) {
  const state = project(events);
  return {
    when(event: StoredEvent) {
      const changes = apply(state, event);
      return { changes, state: fold(state, changes) };
    },
  };
}

const kinds = (changes: Change[]) => changes.map((c) => c.kind);

describe('postgres projection (pure)', () => {
  const ev = new TestEvents('vision');

  it('given nothing, when an experiment is created, then its row and tags are set', () => {
    const e = ev.experimentCreated('exp-a', { name: 'Baseline', description: 'd', tags: { team: 'risk' } });
    const { state } = given().when(e);
    expect([...state.experiments.values()]).toEqual([{ experiment_id: 'exp-a', project: 'vision', name: 'Baseline', description: 'd', created_at: e.occurred_at }]);
    expect([...state.experimentTags.values()]).toEqual([{ experiment_id: 'exp-a', key: 'team', value: 'risk' }]);
  });

  it('given an experiment created, when a run event of it arrives, then the experiment placeholder does not erase it', () => {
    const created = ev.experimentCreated('exp-a', { name: 'Baseline' });
    const { state } = given(created).when(ev.paramsLogged('exp-a', 'r1', { lr: '0.1' }));
    expect(state.experiments.get('exp-a')?.name).toBe('Baseline');
  });

  it('given a run event before its experiment, when the experiment is created, then the placeholder is filled in', () => {
    const { state } = given(ev.runStarted('exp-b', 'r1')).when(ev.experimentCreated('exp-b', { name: 'Late' }));
    expect(state.experiments.get('exp-b')).toMatchObject({ name: 'Late', project: 'vision' });
  });

  it('given params and metrics before run_started, when the run starts, then every field is filled in and status is RUNNING', () => {
    const start = ev.runStarted('exp-a', 'r1', { run_name: 'first', user: 'grace', parent_run_id: 'r0', start_time: 42, context: { node: '20' } });
    const { state } = given(ev.paramsLogged('exp-a', 'r1', { lr: '0.1' }), ev.metricsLogged('exp-a', 'r1', [{ key: 'loss', value: 1, step: 0 }])).when(start);
    expect(state.runs.get('r1')).toMatchObject({
      run_name: 'first',
      user_name: 'grace',
      parent_run_id: 'r0',
      status: 'RUNNING',
      start_time: 42,
      source_git_commit: 'abc123',
      source_git_dirty: false,
      context: { node: '20' },
    });
    expect(state.params.get('r1\u0000lr')?.value).toBe('0.1');
  });

  it('given a run completed before its run_started arrives, when run_started arrives, then the terminal status stays', () => {
    const { state } = given(ev.runCompleted('exp-a', 'r1', 'FAILED')).when(ev.runStarted('exp-a', 'r1'));
    expect(state.runs.get('r1')?.status).toBe('FAILED');
    expect(state.runs.get('r1')?.end_time).not.toBeNull();
    expect(state.runs.get('r1')?.start_time).not.toBeNull();
  });

  it('given a run running, when it completes, then status and end time are set', () => {
    const done = ev.runCompleted('exp-a', 'r1', 'KILLED');
    const { state } = given(ev.runStarted('exp-a', 'r1')).when(done);
    expect(state.runs.get('r1')).toMatchObject({ status: 'KILLED', end_time: done.payload.end_time });
  });

  it('given a param logged, when it is logged again with a different value, then it is a conflict and the first value stays', () => {
    const again = ev.paramsLogged('exp-a', 'r1', { lr: '0.2' });
    const { changes, state } = given(ev.paramsLogged('exp-a', 'r1', { lr: '0.1' })).when(again);
    expect(kinds(changes)).toContain('param_conflict');
    expect(state.params.get('r1\u0000lr')?.value).toBe('0.1');
    expect(state.paramConflicts).toEqual([{ run_id: 'r1', key: 'lr', value: '0.2', event_id: again.event_id, logged_at: again.occurred_at }]);
  });

  it('given a param logged, when it is logged again with the same value, then there is no conflict', () => {
    const { changes, state } = given(ev.paramsLogged('exp-a', 'r1', { lr: '0.1' })).when(ev.paramsLogged('exp-a', 'r1', { lr: '0.1' }));
    expect(kinds(changes)).not.toContain('param_conflict');
    expect(state.paramConflicts).toEqual([]);
  });

  it('given metric points, when an older step arrives later, then latest stays at the highest step while min/max/count include it', () => {
    const { state } = given(ev.metricsLogged('exp-a', 'r1', [{ key: 'loss', value: 0.5, step: 10, timestamp: 100 }])).when(
      ev.metricsLogged('exp-a', 'r1', [{ key: 'loss', value: 0.1, step: 9, timestamp: 200 }]),
    );
    expect(state.metrics.get('r1\u0000loss')).toEqual({ run_id: 'r1', key: 'loss', value: 0.5, step: 10, timestamp: 100, min_value: 0.1, max_value: 0.5, count: 2 });
  });

  it('given a point, when another arrives at the same step with a later timestamp, then it becomes latest', () => {
    const { state } = given(ev.metricsLogged('exp-a', 'r1', [{ key: 'acc', value: 0.5, step: 3, timestamp: 100 }])).when(
      ev.metricsLogged('exp-a', 'r1', [{ key: 'acc', value: 0.4, step: 3, timestamp: 101 }]),
    );
    expect(state.metrics.get('r1\u0000acc')).toMatchObject({ value: 0.4, step: 3, timestamp: 101 });
  });

  it('given NaN and infinite values, when folded, then min/max ignore NaN, keep infinities, count every point and latest may be NaN', () => {
    const { state } = given(
      ev.metricsLogged('exp-a', 'r1', [
        { key: 'x', value: 2, step: 0 },
        { key: 'x', value: Number.NEGATIVE_INFINITY, step: 1 },
      ]),
    ).when(ev.metricsLogged('exp-a', 'r1', [{ key: 'x', value: Number.NaN, step: 2 }, { key: 'only_nan', value: Number.NaN, step: 0 }]));
    expect(state.metrics.get('r1\u0000x')).toMatchObject({ step: 2, min_value: Number.NEGATIVE_INFINITY, max_value: 2, count: 3 });
    expect(state.metrics.get('r1\u0000x')?.value).toBeNaN();
    expect(state.metrics.get('r1\u0000only_nan')).toMatchObject({ min_value: null, max_value: null, count: 1 });
  });

  it('given a tag set, when it is deleted, then the batch records the deletion; when set again, then the new value wins', () => {
    const { state } = given(ev.tagsSet('exp-a', 'r1', { team: 'a' })).when(ev.tagsDeleted('exp-a', 'r1', ['team']));
    expect(state.tags.get('r1\u0000team')).toEqual({ run_id: 'r1', key: 'team', value: null });
    fold(state, apply(state, ev.tagsSet('exp-a', 'r1', { team: 'b' })));
    expect(state.tags.get('r1\u0000team')?.value).toBe('b');
  });

  it('given run_started tags, when tags_set changes one, then the later value wins', () => {
    const { state } = given(ev.runStarted('exp-a', 'r1', { tags: { phase: 'train', owner: 'x' } })).when(ev.tagsSet('exp-a', 'r1', { phase: 'eval' }));
    expect(state.tags.get('r1\u0000phase')?.value).toBe('eval');
    expect(state.tags.get('r1\u0000owner')?.value).toBe('x');
  });

  it('given an artifact, when the same path is logged again, then the last one wins', () => {
    const { state } = given(ev.artifactLogged('exp-a', 'r1', { path: 'm.pt', uri: 's3://a' })).when(ev.artifactLogged('exp-a', 'r1', { path: 'm.pt', uri: 's3://b' }));
    expect(state.artifacts.size).toBe(1);
    expect(state.artifacts.get('r1\u0000m.pt')?.uri).toBe('s3://b');
  });

  it('given lineage recorded, when the same references are recorded again, then each reference appears once', () => {
    const refs = [{ kind: 'dataset' as const, name: 'imagenet', version: '1', digest: null }];
    const { state } = given(ev.lineageRecorded('exp-a', 'r1', refs, [])).when(
      ev.lineageRecorded('exp-a', 'r1', refs, [{ kind: 'model', name: 'm', version: null, digest: 'sha256:1' }]),
    );
    expect([...state.lineage.values()].map((l) => `${l.direction}:${l.kind}:${l.name}`)).toEqual(['input:dataset:imagenet', 'output:model:m']);
  });

  it('given the sample stream, when projected, then every run exists with its experiment and final status', () => {
    const state = project(new TestEvents().sampleStream('exp-s', 3));
    expect([...state.runs.values()].map((r) => [r.run_id, r.experiment_id, r.status])).toEqual([
      ['exp-s-run-0', 'exp-s', 'FINISHED'],
      ['exp-s-run-1', 'exp-s', 'FAILED'],
      ['exp-s-run-2', 'exp-s', 'FINISHED'],
    ]);
    expect(state.paramConflicts.map((c) => `${c.run_id}:${c.key}=${c.value}`)).toEqual(['exp-s-run-0:lr=0.5', 'exp-s-run-1:lr=0.5', 'exp-s-run-2:lr=0.5']);
    expect([...state.tags.values()].filter((t) => t.value === null).map((t) => t.key)).toEqual(['temp', 'temp', 'temp']);
    expect(emptyState().runs.size).toBe(0);
  });

  describe('schema version 2 events', () => {
    it('given an experiment, when it is renamed, deleted and restored, then the latest name and stage win and last_update_time moves on', () => {
      const created = ev.experimentCreated('exp-v2', { name: 'Old' });
      const renamed = ev.experimentRenamed('exp-v2', 'New');
      const deleted = ev.experimentDeleted('exp-v2');
      const { state } = given(created, renamed, deleted).when(ev.experimentRestored('exp-v2'));
      expect(state.experiments.get('exp-v2')?.name).toBe('Old'); // the created row; the update applies on top
      expect(state.experimentUpdates.get('exp-v2')).toEqual({
        experiment_id: 'exp-v2', project: 'vision', name: 'New', lifecycle_stage: 'active', last_update_time: deleted.occurred_at + 1,
      });
    });

    it('given an experiment tag, when it is deleted, then the batch holds the deletion (null value)', () => {
      const { changes, state } = given(ev.experimentTagsSet('exp-v2', { owner: 'ada', team: 'x' })).when(ev.experimentTagsDeleted('exp-v2', ['owner']));
      expect(kinds(changes)).toEqual(['experiment_update', 'experiment_tag']);
      expect(state.experimentTags.get('exp-v2\u0000owner')?.value).toBeNull();
      expect(state.experimentTags.get('exp-v2\u0000team')?.value).toBe('x');
    });

    it('given an experiment-level event, when applied, then it makes no run row', () => {
      const { changes } = given().when(ev.experimentDeleted('exp-v2'));
      expect(kinds(changes)).toEqual(['experiment_update']);
    });

    it('given a run, when it is deleted and then restored, then its lifecycle stage follows the log order', () => {
      const start = ev.runStarted('exp-a', 'r1');
      const afterDelete = given(start).when(ev.runDeleted('exp-a', 'r1')).state;
      expect(afterDelete.runs.get('r1')?.lifecycle_stage).toBe('deleted');
      expect(project([ev.runRestored('exp-a', 'r1')], afterDelete).runs.get('r1')?.lifecycle_stage).toBe('active');
    });

    it('given a running run, when run_updated renames it and sets a terminal status, then name, status and end time change', () => {
      const { state } = given(ev.runStarted('exp-a', 'r1', { run_name: 'a' })).when(ev.runUpdated('exp-a', 'r1', { run_name: 'b', status: 'KILLED', end_time: 99 }));
      expect(state.runs.get('r1')).toMatchObject({ run_name: 'b', status: 'KILLED', end_time: 99, lifecycle_stage: null });
    });

    it('given a finished run, when run_updated says RUNNING, then the terminal status stays (the status rule)', () => {
      const { state } = given(ev.runStarted('exp-a', 'r1'), ev.runCompleted('exp-a', 'r1')).when(ev.runUpdated('exp-a', 'r1', { status: 'RUNNING' }));
      expect(state.runs.get('r1')?.status).toBe('FINISHED');
    });

    it('given a run_updated with only nulls, when applied, then nothing of the run changes', () => {
      const { state } = given(ev.runStarted('exp-a', 'r1', { run_name: 'keep' })).when(ev.runUpdated('exp-a', 'r1', {}));
      expect(state.runs.get('r1')).toMatchObject({ run_name: 'keep', status: 'RUNNING' });
    });
  });
});
