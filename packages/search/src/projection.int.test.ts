import { PostgresSink } from '@trackstream/postgres';
import { TestEvents, batchOf } from '@trackstream/projection-core/testing';
import { createTestPgSchema, endpointsFromEnv, type TestPgSchema } from '@trackstream/testkit';
import { compileSearch, type SearchRequest } from './index';

/** Search over rows the real Postgres sink wrote from events: the column mapping and merge rules as projected. */
describe('search over a projection written by the sink', () => {
  let db: TestPgSchema;
  let sink: PostgresSink;

  beforeAll(async () => {
    db = await createTestPgSchema('searchsink');
    sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 1 });
    await sink.setup();
    const ev = new TestEvents('proj');
    const events = [
      ev.experimentCreated('exp-1'),
      ev.runStarted('exp-1', 'run-a', { user: 'ada' }),
      ev.paramsLogged('exp-1', 'run-a', { lr: '0.01', optimizer: 'adam' }),
      ev.metricsLogged('exp-1', 'run-a', [
        { key: 'acc', value: 0.9, step: 1 },
        { key: 'acc', value: 0.7, step: 2 },
      ]),
      ev.tagsSet('exp-1', 'run-a', { team: 'risk', stage: 'dev' }),
      ev.tagsDeleted('exp-1', 'run-a', ['team']),
      ev.runCompleted('exp-1', 'run-a', 'FINISHED'),
      ev.runStarted('exp-1', 'run-b', { user: 'bob', run_name: 'second' }),
      ev.paramsLogged('exp-1', 'run-b', { lr: '0.1' }),
      ev.paramsLogged('exp-1', 'run-b', { lr: '0.2' }),
      ev.metricsLogged('exp-1', 'run-b', [{ key: 'acc', value: Number.NaN, step: 5 }]),
      ev.tagsSet('exp-1', 'run-b', { team: 'fraud' }),
      ev.runCompleted('exp-1', 'run-b', 'FAILED'),
      ev.metricsLogged('exp-1', 'run-c', [{ key: 'acc', value: 0.5, step: 1 }]),
    ];
    await sink.apply(batchOf('t', 0, events));
  });

  afterAll(async () => {
    await sink?.close();
    await db?.cleanup();
  });

  async function ids(filter: string, extra: Partial<SearchRequest> = {}): Promise<string[]> {
    const c = compileSearch({ schema: db.schema, experimentIds: ['exp-1'], filter, orderBy: ['attributes.run_id'], ...extra });
    const { rows } = await db.pool.query(c.text, c.values);
    return c.page(rows).runIds;
  }

  it.each<[string, string[]]>([
    ['', ['run-a', 'run-b', 'run-c']],
    // The latest point counts, not the best one.
    ['metrics.acc > 0.8', []],
    ['metrics.acc = 0.7', ['run-a']],
    ['metrics.acc != 0.7', ['run-b', 'run-c']],
    ["attributes.user_id = 'bob'", ['run-b']],
    ["attributes.user = 'ada'", ['run-a']],
    ["attributes.run_name = 'run-a' OR run_name = 'second'", ['run-a', 'run-b']],
    ["tags.team = 'risk'", []],
    ["tags.stage = 'dev'", ['run-a']],
    ["tags.team = 'fraud'", ['run-b']],
    // A param is immutable: the first value stays.
    ["params.lr = '0.1'", ['run-b']],
    ["params.lr = '0.2'", []],
    ['params.lr > 0.05', ['run-b']],
    ["attributes.status = 'FINISHED'", ['run-a']],
    ["NOT attributes.status IN ('FINISHED')", ['run-b', 'run-c']],
    ['attributes.start_time > 0', ['run-a', 'run-b']],
    ["attributes.experiment_id = 'exp-1' AND attributes.run_id LIKE 'run-_'", ['run-a', 'run-b', 'run-c']],
  ])('%s', async (filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });

  it('scopes by project', async () => {
    expect(await ids('', { projects: ['proj'] })).toEqual(['run-a', 'run-b', 'run-c']);
    expect(await ids('', { projects: ['other'] })).toEqual([]);
  });
});
