import { batchOf, TestEvents } from '@trackstream/projection-core/testing';
import { createTestPgSchema, endpointsFromEnv, type TestPgSchema } from '@trackstream/testkit';
import { PostgresSink } from './sink';

jest.setTimeout(60_000);

// Schema version 2 events through the real adapter: the SQL follows the same merge rules as model.ts, whether the
// events come in one batch or one batch each.
describe('postgres sink: schema version 2 events', () => {
  let db: TestPgSchema;
  let sink: PostgresSink;

  beforeEach(async () => {
    db = await createTestPgSchema('sink_v2');
    sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 2 });
    await sink.setup();
  });

  afterEach(async () => {
    await sink.close();
    await db.cleanup();
  });

  const stream = () => {
    const ev = new TestEvents('vision');
    return [
      ev.experimentCreated('exp-1', { name: 'Old', tags: { keep: '1', drop: '2' } }),
      ev.runStarted('exp-1', 'r1', { run_name: 'first' }),
      ev.runStarted('exp-1', 'r2'),
      ev.experimentRenamed('exp-1', 'New'),
      ev.experimentTagsSet('exp-1', { added: '3' }),
      ev.experimentTagsDeleted('exp-1', ['drop']),
      ev.experimentDeleted('exp-1'),
      ev.experimentRestored('exp-1'),
      ev.experimentDeleted('exp-1'),
      ev.runUpdated('exp-1', 'r1', { run_name: 'renamed', status: 'KILLED', end_time: 1_763_900_099_000 }),
      ev.runDeleted('exp-1', 'r1'),
      ev.runDeleted('exp-1', 'r2'),
      ev.runRestored('exp-1', 'r2'),
      // events of an experiment projected before its experiment_created (placeholder path)
      ev.experimentRenamed('exp-2', 'Early'),
    ];
  };

  const read = async () => ({
    experiments: (await db.pool.query(`SELECT experiment_id, name, lifecycle_stage, last_update_time::float8 AS t FROM "${db.schema}".experiments ORDER BY experiment_id`)).rows,
    tags: (await db.pool.query(`SELECT experiment_id, key, value FROM "${db.schema}".experiment_tags ORDER BY experiment_id, key`)).rows,
    runs: (await db.pool.query(`SELECT run_id, run_name, status, end_time::float8 AS end_time, lifecycle_stage FROM "${db.schema}".runs ORDER BY run_id`)).rows,
  });

  it('given rename, tag, delete/restore and run update events, when applied in one batch or one by one, then both give the same rows', async () => {
    const events = stream();
    await sink.apply(batchOf('t1', 0, events));
    const once = await read();
    expect(once.experiments).toEqual([
      { experiment_id: 'exp-1', name: 'New', lifecycle_stage: 'deleted', t: events[8]!.occurred_at },
      { experiment_id: 'exp-2', name: 'Early', lifecycle_stage: null, t: events[13]!.occurred_at },
    ]);
    expect(once.tags).toEqual([
      { experiment_id: 'exp-1', key: 'added', value: '3' },
      { experiment_id: 'exp-1', key: 'keep', value: '1' },
    ]);
    expect(once.runs).toEqual([
      { run_id: 'r1', run_name: 'renamed', status: 'KILLED', end_time: 1_763_900_099_000, lifecycle_stage: 'deleted' },
      { run_id: 'r2', run_name: 'r2', status: 'RUNNING', end_time: null, lifecycle_stage: 'active' },
    ]);

    await sink.close();
    await db.cleanup();
    db = await createTestPgSchema('sink_v2');
    sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 2 });
    await sink.setup();
    for (const [i, e] of events.entries()) await sink.apply(batchOf('t1', 0, [e], i));
    expect(await read()).toEqual(once);
  });
});
