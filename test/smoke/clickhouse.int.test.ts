import { createTestClickHouseDatabase, type TestClickHouseDatabase } from '@trackstream/testkit';

describe('ClickHouse smoke: JSONEachRow insert and select in a test-owned database', () => {
  let ch: TestClickHouseDatabase;
  beforeAll(async () => {
    ch = await createTestClickHouseDatabase('smoke_ch');
  });
  afterAll(async () => {
    await ch.cleanup();
  });

  it('inserts rows with format JSONEachRow and selects them back', async () => {
    // DDL in the subset both ClickHouse 18.16 and 24.x accept.
    await ch.client.command({
      query: `CREATE TABLE points (run_id String, key String, step Int64, value Float64, ts DateTime)
              ENGINE = MergeTree() ORDER BY (run_id, key, step)`,
    });
    const rows = Array.from({ length: 1000 }, (_, i) => ({ run_id: `run-${i % 3}`, key: 'loss', step: i, value: 1 / (i + 1), ts: 1763900000 + i }));
    await ch.client.insert({ table: 'points', values: rows, format: 'JSONEachRow' });

    const result = await ch.client.query({
      query: "SELECT run_id, count() AS n, min(step) AS first, max(value) AS top FROM points WHERE key = 'loss' GROUP BY run_id ORDER BY run_id",
      format: 'JSONEachRow',
    });
    const got = await result.json<{ run_id: string; n: string | number; first: string | number; top: number }>();
    expect(got.map((r) => ({ ...r, n: Number(r.n), first: Number(r.first) }))).toEqual([
      { run_id: 'run-0', n: 334, first: 0, top: 1 },
      { run_id: 'run-1', n: 333, first: 1, top: 0.5 },
      { run_id: 'run-2', n: 333, first: 2, top: 1 / 3 },
    ]);
  });
});
