import { PostgresSink } from '@trackstream/postgres';
import { createTestPgSchema, endpointsFromEnv, type TestPgSchema } from '@trackstream/testkit';
import { compileSearch } from './index';

/** Index use of a typical search, checked on a projection big enough that the planner prefers indexes. */
describe('search plans', () => {
  let db: TestPgSchema;
  let sink: PostgresSink;

  beforeAll(async () => {
    db = await createTestPgSchema('searchplan');
    sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 1 });
    await sink.setup();
    const s = `"${db.schema}"`;
    // 20,000 runs in 100 experiments, 2 params, 2 metrics and a tag each.
    await db.pool.query(`INSERT INTO ${s}.runs (run_id, experiment_id, project, status, start_time)
      SELECT 'run-' || i, 'exp-' || (i % 100), 'p1', 'FINISHED', 1700000000000 + i FROM generate_series(1, 20000) i`);
    await db.pool.query(`INSERT INTO ${s}.params (run_id, key, value, event_id, logged_at)
      SELECT 'run-' || i, k, CASE k WHEN 'lr' THEN ((i % 10)::float8 / 1000)::text ELSE 'model-' || (i % 37) END, gen_random_uuid(), 0
      FROM generate_series(1, 20000) i, unnest(ARRAY['lr', 'model']) k`);
    await db.pool.query(`INSERT INTO ${s}.latest_metrics (run_id, key, value, step, "timestamp", min_value, max_value, count)
      SELECT 'run-' || i, k, ((i * 7919) % 1000)::float8 / 1000, 0, 0, 0, 1, 1 FROM generate_series(1, 20000) i, unnest(ARRAY['acc', 'loss']) k`);
    await db.pool.query(`INSERT INTO ${s}.tags (run_id, key, value) SELECT 'run-' || i, 'team', 'team-' || (i % 5) FROM generate_series(1, 20000) i`);
    for (const t of ['runs', 'params', 'latest_metrics', 'tags']) await db.pool.query(`ANALYZE ${s}.${t}`);
  }, 120_000);

  afterAll(async () => {
    await sink?.close();
    await db?.cleanup();
  });

  async function plan(experimentIds: string[], filter: string): Promise<string> {
    const c = compileSearch({ schema: db.schema, experimentIds, filter, orderBy: ['metrics.acc DESC'], maxResults: 100 });
    const { rows } = await db.pool.query(`EXPLAIN ${c.text}`, c.values);
    return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  }

  it('experiment + metric threshold + param equality, ordered by a metric: index scans only', async () => {
    const p = await plan(['exp-7'], "metrics.acc > 0.9 AND params.model = 'model-3'");
    expect(p).not.toMatch(/Seq Scan/);
    expect(p).toMatch(/runs_experiment_start|runs_pkey/);
  });

  it('the same search over all experiments reaches the param and metric value indexes', async () => {
    const p = await plan([], "metrics.acc > 0.99 AND params.model = 'model-3'");
    expect(p).toMatch(/params_key_value|latest_metrics_key_value/);
  });
});
