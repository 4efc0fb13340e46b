import { createTestPgSchema, type TestPgSchema } from '@trackstream/testkit';

describe('Postgres smoke: a round trip in a test-owned schema', () => {
  let pg: TestPgSchema;
  beforeAll(async () => {
    pg = await createTestPgSchema('smoke_pg');
  });
  afterAll(async () => {
    await pg.cleanup();
  });

  it('creates a table in its own schema, writes and reads back with bound parameters', async () => {
    await pg.pool.query('CREATE TABLE runs (run_id text PRIMARY KEY, params jsonb NOT NULL, started_at timestamptz NOT NULL)');
    const started = new Date('2026-11-23T10:00:00.000Z');
    await pg.pool.query('INSERT INTO runs VALUES ($1, $2, $3)', ["run-'1", { lr: '0.01' }, started]);
    const { rows } = await pg.pool.query('SELECT run_id, params, started_at, current_schema() AS schema FROM runs');
    expect(rows).toEqual([{ run_id: "run-'1", params: { lr: '0.01' }, started_at: started, schema: pg.schema }]);
  });

  it('rolls back a failed transaction completely', async () => {
    const client = await pg.pool.connect();
    try {
      await client.query('CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY)');
      await client.query('BEGIN');
      await client.query('INSERT INTO t VALUES (1)');
      await expect(client.query('INSERT INTO t VALUES (1)')).rejects.toThrow(/duplicate key/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const { rows } = await pg.pool.query('SELECT count(*)::int AS n FROM t');
    expect(rows[0].n).toBe(0);
  });
});
