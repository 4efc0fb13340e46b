import { batchOf, TestEvents } from '@trackstream/projection-core/testing';
import { createTestPgSchema, endpointsFromEnv, type TestPgSchema } from '@trackstream/testkit';
import { readProjection } from './snapshot';
import { PostgresSink } from './sink';

jest.setTimeout(60_000);

// Schema version 3 (collaboration) and the lineage graph through the real adapter: one batch and one batch per
// event give the same rows (the SQL follows collab.ts and lineage-graph.ts).
describe('postgres sink: lineage graph and collaboration', () => {
  const dbs: TestPgSchema[] = [];
  const sinks: PostgresSink[] = [];
  const fresh = async () => {
    const db = await createTestPgSchema('sink_v3');
    const sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 2 });
    await sink.setup();
    dbs.push(db);
    sinks.push(sink);
    return { db, sink };
  };
  afterAll(async () => {
    for (const s of sinks) await s.close();
    for (const d of dbs) await d.cleanup();
  });

  const N1 = '0000000A-0000-4000-8000-000000000001';
  const N2 = '00000000-0000-4000-8000-000000000002';
  const stream = () => {
    const ev = new TestEvents('vision');
    return [
      ev.runStarted('exp-1', 'r1', { parent_run_id: 'r0' }),
      ev.lineageRecorded('exp-1', 'r1', [{ kind: 'dataset', name: 'd', version: '1', digest: null }], [{ kind: 'model', name: 'm', version: '1', digest: null }]),
      ev.lineageRecorded('exp-1', 'r1', [{ kind: 'dataset', name: 'd', version: '1', digest: null }], []),
      ev.artifactLogged('exp-1', 'r1', { path: 'model.pt', sha256: 'f'.repeat(64) }),
      ev.noteAdded('exp-1', 'r1', N1, 'first', 'ada'),
      ev.noteEdited('exp-1', 'r1', N1.toLowerCase(), 'second', 'bob'),
      ev.noteAdded('exp-1', null, N2, 'plan', 'ada'),
      ev.noteDeleted('exp-1', null, N2, 'bob'),
      ev.annotationAdded('exp-1', 'r1', { annotation_id: N2, key: 'loss', step: 3, text: 'spike' }),
      ev.runStarred('exp-1', 'r1', true, 'ada'),
      ev.runStarred('exp-1', 'r1', true, 'bob'),
      ev.runStarred('exp-1', 'r1', false, 'ada'),
      ev.runPinned('exp-1', 'r1', true),
      ev.viewSaved('exp-1', { name: 'best', filter: 'metrics.loss < 1', order_by: ['metrics.loss ASC'], columns: ['params.lr'] }),
      ev.viewSaved('exp-1', { name: 'gone' }),
      ev.viewDeleted('exp-1', 'gone'),
    ];
  };

  it('given graph and collaboration events, when applied in one batch or one by one, then the rows are equal', async () => {
    const events = stream();
    const a = await fresh();
    await a.sink.apply(batchOf('t1', 0, events));
    const once = await readProjection(a.db.pool, a.db.schema);
    expect(once.lineage_edges.map((e) => e.relation).sort()).toEqual(['artifact', 'code', 'input', 'output', 'parent']);
    expect(once.lineage_nodes).toHaveLength(6);
    expect(once.notes).toEqual([
      expect.objectContaining({ note_id: N2, run_id: null, author: 'ada', text: '', deleted: true }),
      expect.objectContaining({ note_id: N1.toLowerCase(), run_id: 'r1', author: 'ada', text: 'second', edited_by: 'bob', deleted: false }),
    ]);
    expect(once.annotations).toEqual([expect.objectContaining({ key: 'loss', step: 3, text: 'spike', deleted: false })]);
    expect(once.run_stars.map((s) => s.principal)).toEqual(['bob']);
    expect(once.run_pins).toEqual([expect.objectContaining({ run_id: 'r1', pinned: true })]);
    expect(once.saved_views).toEqual([expect.objectContaining({ name: 'best', order_by: ['metrics.loss ASC'], columns: ['params.lr'] })]);

    const b = await fresh();
    for (const [i, e] of events.entries()) await b.sink.apply(batchOf('t1', 0, [e], i));
    expect(await readProjection(b.db.pool, b.db.schema)).toEqual(once);
  });
});
