import { TestEvents } from '@trackstream/projection-core/testing';
import type { StoredEvent } from '@trackstream/events';
import { apply, fold, project } from './model';
import { applyAnnotationOps, applyNoteOps, type NoteRow } from './collab';
import { nodeId } from './lineage-graph';

// Given/when/then over the pure projection, as model.unit.test.ts: the lineage graph and collaboration rows.
function given(...events: StoredEvent[]) {
  const state = project(events);
  return { when: (event: StoredEvent) => fold(state, apply(state, event)) };
}

const edgesOf = (state: ReturnType<typeof project>) =>
  [...state.graphEdges.values()].map((e) => {
    const name = (id: string) => {
      const n = state.graphNodes.get(id)!;
      return `${n.kind}:${n.name}${n.version === null ? '' : `@${n.version}`}`;
    };
    return `${name(e.src)} -${e.relation}-> ${name(e.dst)}`;
  }).sort();

describe('lineage graph (pure)', () => {
  const ev = new TestEvents('vision');

  it('given nothing, when a run records inputs and outputs, then ref → run and run → ref edges are added', () => {
    const state = given().when(ev.lineageRecorded('e', 'r1',
      [{ kind: 'dataset', name: 'imagenet', version: '2012', digest: null }, { kind: 'run', name: 'r0', version: 'ignored', digest: null }],
      [{ kind: 'model', name: 'resnet', version: '3', digest: null }]));
    expect(edgesOf(state)).toEqual(['dataset:imagenet@2012 -input-> run:r1', 'run:r0 -input-> run:r1', 'run:r1 -output-> model:resnet@3']);
    expect(state.graphNodes.get(nodeId('vision', 'run', 'r0', null, null))).toMatchObject({ kind: 'run', name: 'r0', version: null });
  });

  it('given nothing, when a run starts with a commit and a parent and logs an artifact, then code, parent and artifact edges are added', () => {
    const state = given(ev.runStarted('e', 'child', { parent_run_id: 'parent' })).when(ev.artifactLogged('e', 'child', { path: 'm.pt', uri: 's3://b/m.pt', sha256: 'a'.repeat(64) }));
    expect(edgesOf(state)).toEqual(['code:abc123 -code-> run:child', 'run:child -artifact-> artifact:s3://b/m.pt', 'run:parent -parent-> run:child']);
    expect([...state.graphNodes.values()].find((n) => n.kind === 'artifact')?.digest).toBe('a'.repeat(64));
  });

  it('given an edge seen, when it is recorded again later, then one edge stays with the earliest first_seen', () => {
    const first = ev.lineageRecorded('e', 'r1', [{ kind: 'dataset', name: 'd', version: null, digest: null }], []);
    const state = given(first).when(ev.lineageRecorded('e', 'r1', [{ kind: 'dataset', name: 'd', version: null, digest: null }], []));
    expect([...state.graphEdges.values()]).toEqual([expect.objectContaining({ relation: 'input', first_seen: first.occurred_at })]);
  });

  it('given the same dataset name in two projects, then they are two nodes', () => {
    expect(nodeId('a', 'dataset', 'd', null, null)).not.toBe(nodeId('b', 'dataset', 'd', null, null));
    expect(nodeId('a', 'dataset', 'd', '1', null)).not.toBe(nodeId('a', 'dataset', 'd', null, '1'));
  });

  it('given params or metrics, then the graph does not change', () => {
    const state = given().when(ev.paramsLogged('e', 'r1', { lr: '1' }));
    expect(state.graphNodes.size + state.graphEdges.size).toBe(0);
  });
});

describe('collaboration (pure)', () => {
  const ev = new TestEvents('vision');
  const N1 = '00000000-0000-4000-8000-000000000001';

  it('given nothing, when a note is added on a run, then a create op carries the principal as author; the run gets a placeholder', () => {
    const e = ev.noteAdded('e', 'r1', N1, 'hello', 'grace');
    const state = given().when(e);
    expect(state.collab.notes).toEqual([{ op: 'create', row: expect.objectContaining({ note_id: N1, run_id: 'r1', author: 'grace', text: 'hello', created_at: e.occurred_at, deleted: false }) }]);
    expect(state.runs.has('r1')).toBe(true);
  });

  it('given an experiment note, then it makes the experiment placeholder without moving last_update_time', () => {
    const state = given().when(ev.noteAdded('e', null, N1, 'plan'));
    expect(state.experiments.has('e')).toBe(true);
    expect(state.experimentUpdates.size).toBe(0);
    expect(state.runs.size).toBe(0);
  });

  const row = (over: Partial<NoteRow> = {}): NoteRow => ({
    note_id: N1, project: 'p', experiment_id: 'e', run_id: 'r', author: 'ada', text: 't', created_at: 1, updated_at: 1, edited_by: null, deleted: false, ...over,
  });

  it('given a stored note, when edited then deleted, then the text is replaced, then a tombstone keeps author and created_at', () => {
    const edited = applyNoteOps(new Map([[N1, row()]]), [{ op: 'edit', note_id: N1, text: 'new', updated_at: 5, edited_by: 'bob' }]);
    expect(edited.get(N1)).toEqual(row({ text: 'new', updated_at: 5, edited_by: 'bob' }));
    const deleted = applyNoteOps(edited, [{ op: 'delete', row: row({ author: 'bob', created_at: 9, updated_at: 9, edited_by: 'bob', deleted: true, text: '' }) }]);
    expect(deleted.get(N1)).toEqual(row({ text: '', updated_at: 9, edited_by: 'bob', deleted: true }));
  });

  it('given a deleted note, when added again or edited, then it stays deleted; an edit of an unknown note does nothing', () => {
    const tomb = row({ deleted: true, text: '' });
    expect(applyNoteOps(new Map([[N1, tomb]]), [{ op: 'create', row: row({ text: 'again' }) }, { op: 'edit', note_id: N1, text: 'x', updated_at: 3, edited_by: 'a' }]).get(N1)).toEqual(tomb);
    expect(applyNoteOps(new Map(), [{ op: 'edit', note_id: N1, text: 'x', updated_at: 3, edited_by: 'a' }]).size).toBe(0);
  });

  it('given ops split anywhere into batches, then the notes are the same as in one batch', () => {
    const ops = project([
      ev.noteAdded('e', 'r', N1, 'a'), ev.noteEdited('e', 'r', N1, 'b', 'bob'), ev.noteDeleted('e', 'r', N1), ev.noteAdded('e', 'r', N1, 'revived?'),
    ]).collab.notes;
    const once = applyNoteOps(new Map(), ops);
    for (let cut = 0; cut <= ops.length; cut++) expect(applyNoteOps(applyNoteOps(new Map(), ops.slice(0, cut)), ops.slice(cut))).toEqual(once);
    expect(once.get(N1)).toMatchObject({ deleted: true, text: '', author: 'tester' });
  });

  it('given an annotation, when deleted, then a tombstone; stars and pins: the latest wins; views: saved then deleted', () => {
    const add = ev.annotationAdded('e', 'r', { annotation_id: N1, key: 'loss', step: 40, text: 'spike' });
    const st = project([add, ev.annotationDeleted('e', 'r', N1), ev.runStarred('e', 'r', true, 'ada'), ev.runStarred('e', 'r', false, 'ada'),
      ev.runStarred('e', 'r', true, 'bob'), ev.runPinned('e', 'r', true), ev.viewSaved('e', { name: 'v', filter: 'metrics.loss < 1' }), ev.viewDeleted('e', 'v')]);
    expect(applyAnnotationOps(new Map(), st.collab.annotations).get(N1)).toMatchObject({ key: 'loss', step: 40, text: '', deleted: true });
    expect([...st.collab.stars.values()].map((s) => [s.principal, s.starred])).toEqual([['ada', false], ['bob', true]]);
    expect(st.collab.pins.get('r')?.pinned).toBe(true);
    expect([...st.collab.views.values()]).toEqual([expect.objectContaining({ name: 'v', deleted: true })]);
  });
});
