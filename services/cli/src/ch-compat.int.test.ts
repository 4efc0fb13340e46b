import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ddlStatements, qualified, TABLES, metricPointRows, toRows } from '@trackstream/clickhouse';
import { recordsOf, TestEvents } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase, uniqueName, type TestClickHouseDatabase } from '@trackstream/testkit';
import { CH_VERIFIED, onlyInQuery, sumsQuery, switchStatement } from './ch-store';

/**
 * verify's checksum and diff queries and switch's multi-table RENAME must run on ClickHouse 18.16 (the local stack)
 * and on a current ClickHouse (chdb-core, installed by packages/clickhouse/scripts/ensure-chdb.sh), and the
 * checksums must agree across the two engines (cityHash64 is stable), so a rebuild on one version verifies against
 * a projection on the other.
 */
const SCRIPTS = path.resolve(__dirname, '../../../packages/clickhouse/scripts');

function runInChdb(statements: string[]): { version: string; results: ({ ok: true; rows: Record<string, unknown>[] } | { ok: false; error: string })[] } {
  const out = execFileSync('python3', [path.join(SCRIPTS, 'chdb_run.py')], { input: JSON.stringify({ statements }), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8')) as ReturnType<typeof runInChdb>;
}

const insert = (db: string, table: string, rows: readonly object[]) =>
  `INSERT INTO ${qualified(db, table).text} FORMAT JSONEachRow\n${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

describe('verify and switch SQL on ClickHouse 18.16 and a current ClickHouse (chdb)', () => {
  let a: TestClickHouseDatabase;
  let b: TestClickHouseDatabase;
  const extra: string[] = [];

  beforeAll(async () => {
    execFileSync('bash', [path.join(SCRIPTS, 'ensure-chdb.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    a = await createTestClickHouseDatabase('cmp_a');
    b = await createTestClickHouseDatabase('cmp_b');
  }, 300_000);

  afterAll(async () => {
    for (const d of extra) await a?.client.command({ query: `DROP DATABASE IF EXISTS ${d}` }).catch(() => undefined);
    await a?.cleanup();
    await b?.cleanup();
  });

  it('gives the same checksums and differences on both engines; the RENAME of every table runs on both', async () => {
    const rows = toRows(recordsOf(new TestEvents('proj', 1_763_900_000_000).sampleStream('exp-c', 2)), 0);
    const forged = { ...rows.events[1]!, event_id: 'forged', principal: 'mallory' };
    const setup = [
      ...ddlStatements(a.database).map((s) => s.text),
      ...ddlStatements(b.database).map((s) => s.text),
      insert(a.database, TABLES.metricPoints, metricPointRows(rows.pointGroups)),
      insert(a.database, TABLES.events, rows.events),
      insert(b.database, TABLES.metricPoints, metricPointRows(rows.pointGroups)),
      insert(b.database, TABLES.events, [...rows.events, forged]),
      insert(b.database, TABLES.events, rows.events), // a redelivery: FINAL keeps one
    ];
    const queries = [
      ...Object.keys(CH_VERIFIED).flatMap((t) => [sumsQuery(a.database, t), sumsQuery(b.database, t)]),
      onlyInQuery(b.database, a.database, TABLES.events, 10),
      onlyInQuery(a.database, b.database, TABLES.events, 10),
    ];
    for (const s of setup) await a.client.command({ query: s });
    const old: unknown[] = [];
    for (const q of queries) old.push(await (await a.client.query({ query: q, format: 'JSONEachRow' })).json());

    const backup = uniqueName('cmp_bak');
    const live = uniqueName('cmp_live');
    const rename = [
      `CREATE DATABASE ${backup}`,
      ...ddlStatements(live).map((s) => s.text),
      switchStatement(live, a.database, backup, new Set([TABLES.metricPoints, TABLES.events, TABLES.checkpoints])),
      `SELECT count() AS n FROM ${qualified(live, TABLES.events).text} FINAL`,
    ];
    const chdb = runInChdb([...setup, ...queries, ...rename]);
    expect(chdb.version).toMatch(/^2\d\./);
    const failures = chdb.results.flatMap((r, i) => (r.ok ? [] : [`${[...setup, ...queries, ...rename][i]!.slice(0, 200)} → ${r.error}`]));
    expect(failures).toEqual([]);
    const current = chdb.results.slice(setup.length, setup.length + queries.length).map((r) => (r.ok ? r.rows : r.error));
    expect(current).toEqual(old);
    expect(old[old.length - 2]).toEqual([{ r: expect.stringMatching(/^forged /) as unknown as string }]);
    expect(old[old.length - 1]).toEqual([]);
    const sums = old.slice(0, 4) as { rows: string; checksum: string }[][];
    expect(sums[0]).toEqual(sums[1]); // metric_points equal
    expect(sums[2]![0]!.rows).toBe(String(rows.events.length));
    expect(sums[3]![0]!.rows).toBe(String(rows.events.length + 1));

    // The same RENAME on 18.16.
    extra.push(backup, live);
    for (const s of rename.slice(0, -1)) await a.client.command({ query: s });
    const n = await (await a.client.query({ query: rename[rename.length - 1]!, format: 'JSONEachRow' })).json<{ n: string }>();
    expect(n).toEqual([{ n: String(rows.events.length) }]);
  }, 120_000);
});
