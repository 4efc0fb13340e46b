import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createTestClickHouseDatabase, type TestClickHouseDatabase } from '@trackstream/testkit';
import { analystExamples, checkpointsQuery, runMetricSummariesQuery } from './queries';
import { METRIC_POINT_INSERT_COLUMNS, encodeMetricPoints, metricPointStructure } from './row-binary';
import { checkpointRow, toRows } from './rows';
import { TABLES, ddlStatements, summarySelect } from './schema';
import { identifier, qualified, sql } from './sql';
import { asRecords, everyEventType, metrics } from './testing/fixtures';

/**
 * The package's SQL must run on ClickHouse 18.16 (the local stack) and on a current ClickHouse. chdb-core embeds
 * a current engine in Python; scripts/ensure-chdb.sh installs it (pip --user) when missing. Every DDL statement,
 * the insert formats the sink sends (RowBinary for points, JSONEachRow for the rest), and every query template run
 * on both, and give the same rows.
 */
const SCRIPTS = path.resolve(__dirname, '..', 'scripts');

const HOSTILE = ["it's", '\\', "\\'", '\u0000nul', 'line\nfeed\ttab\r', '\u001b\u007f', 'ünïcødé 日本語 🚀', "x' OR '1'='1' --", '/* c */ `b` "d"'];

interface ChdbResult {
  version: string;
  results: ({ ok: true; rows: Record<string, unknown>[] } | { ok: false; error: string })[];
}

function runInChdb(statements: string[]): ChdbResult {
  const out = execFileSync('python3', [path.join(SCRIPTS, 'chdb_run.py')], { input: JSON.stringify({ statements }), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8')) as ChdbResult;
}

// Both engines print JSON a little differently (64-bit integers quoted or not): compare scalars as text.
function normalise(value: unknown): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, normalise(v)]));
  return String(value);
}

function insertStatement(database: string, table: string, rows: readonly object[]): string {
  return `INSERT INTO ${qualified(database, table).text} FORMAT JSONEachRow\n${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

describe('DDL and queries on ClickHouse 18.16 and a current ClickHouse (chdb)', () => {
  let ch: TestClickHouseDatabase;
  let tmp: string;
  let statements: string[];
  let queries: { name: string; text: string }[];

  beforeAll(async () => {
    execFileSync('bash', [path.join(SCRIPTS, 'ensure-chdb.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    ch = await createTestClickHouseDatabase('ch_compat');
    const db = ch.database;
    const records = asRecords([
      ...everyEventType('run-42'),
      ...everyEventType('run-43'),
      metrics('run-43', 1_763_900_000_100, [{ key: 'val_acc', value: 0.8, step: 9 }]),
    ]);
    const rows = toRows(records, 0);
    // The points travel as the sink's RowBinary bytes: in the request body on 18.16, read from a file by chdb.
    const points = encodeMetricPoints(rows.pointGroups);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-compat-'));
    const pointsFile = path.join(tmp, 'points.bin');
    fs.writeFileSync(pointsFile, points);
    const columns = METRIC_POINT_INSERT_COLUMNS.map((c) => identifier(c).text).join(', ');
    const pointsInto = `INSERT INTO ${qualified(db, TABLES.metricPoints).text} (${columns})`;
    const inserts = [
      insertStatement(db, TABLES.events, rows.events),
      insertStatement(db, TABLES.checkpoints, [checkpointRow('trackstream.events.v1', 0, String(records.length), 1)]),
    ];
    const ddl = ddlStatements(db).map((s) => s.text);
    // Twice: the second copy is a redelivery and must change no result on either engine.
    const chdbPointsInsert = `${pointsInto} SELECT * FROM file(${sql`${pointsFile}`.text}, 'RowBinary', ${sql`${metricPointStructure()}`.text})`;
    statements = [...ddl, chdbPointsInsert, ...inserts, chdbPointsInsert, ...inserts];
    queries = [
      { name: 'checkpoints', text: checkpointsQuery(db, 'trackstream.events.v1').text },
      { name: 'summaries (template)', text: runMetricSummariesQuery(db, { project: 'vision', runIds: ['run-42', 'run-43'] }).text },
      { name: 'summaries (keys)', text: runMetricSummariesQuery(db, { project: 'vision', runIds: ['run-43'], keys: ['val_acc'] }).text },
      { name: 'summaries (no runs)', text: runMetricSummariesQuery(db, { project: 'vision', runIds: [] }).text },
      { name: 'summary view', text: sql`SELECT * FROM ${qualified(db, TABLES.runMetricSummaries)} ORDER BY run_id, key`.text },
      { name: 'summary select', text: sql`${summarySelect(db, null)} ORDER BY run_id, key`.text },
      { name: 'events', text: sql`SELECT * FROM ${qualified(db, TABLES.events)} FINAL ORDER BY offset`.text },
      { name: 'points', text: sql`SELECT *, toString(value) AS value_text FROM ${qualified(db, TABLES.metricPoints)} FINAL ORDER BY run_id, key, step`.text },
      ...Object.entries(analystExamples(db)).map(([name, q]) => ({ name: `example ${name}`, text: q.text })),
      // The escaping helper's spellings, read back by both engines.
      ...HOSTILE.map((v, i) => ({ name: `literal ${i}`, text: sql`SELECT hex(${v}) AS h, ${v} = unhex(${Buffer.from(v).toString('hex')}) AS same`.text })),
      { name: 'numbers', text: sql`SELECT ${[NaN, Infinity, -Infinity, -0, 5e-324, 1e-310, 0.1, -1e21]} AS a, arrayMap(x -> hex(reinterpretAsString(x)), a) AS bits`.text },
      { name: 'identifier', text: sql`SELECT 1 AS ${identifier("we`ird\\ na'me\n")}`.text },
      { name: 'summaries (hostile ids)', text: runMetricSummariesQuery(db, { project: "x' OR 1=1 --", runIds: ["run'\\", '\u0000'], keys: ['🚀'] }).text },
    ];
    for (const s of ddl) await ch.client.command({ query: s });
    for (let copy = 0; copy < 2; copy++) {
      const result = await ch.client.exec({ query: `${pointsInto} FORMAT RowBinary`, values: Readable.from([points], { objectMode: false }) });
      for await (const _ of result.stream) void _;
      for (const s of inserts) await ch.client.command({ query: s });
    }
  }, 300_000);

  afterAll(async () => {
    await ch?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs every statement and query on the current engine, with the same results as on 18.16', async () => {
    const chdb = runInChdb([...statements, ...queries.map((q) => q.text)]);
    expect(chdb.version).toMatch(/^2\d\./);
    const failures = chdb.results.flatMap((r, i) => (r.ok ? [] : [`${[...statements, ...queries.map((q) => q.text)][i]!.slice(0, 200)}\n  → ${r.error}`]));
    expect(failures).toEqual([]);

    const current = chdb.results.slice(statements.length);
    for (const [i, q] of queries.entries()) {
      const rs = await ch.client.query({ query: q.text, format: 'JSONEachRow' });
      const old = await rs.json<Record<string, unknown>>();
      const now = current[i]!;
      expect({ query: q.name, rows: normalise(now.ok ? now.rows : now.error) }).toEqual({ query: q.name, rows: normalise(old) });
      if (q.name.startsWith('literal')) expect(normalise(old)).toEqual([expect.objectContaining({ same: '1' })]);
    }
  });

  it('sees each redelivered event once on 18.16 (the fixture was inserted twice; the engines agree on every query above)', async () => {
    const rs = await ch.client.query({ query: sql`SELECT count() AS n FROM ${qualified(ch.database, TABLES.events)} FINAL`.text, format: 'JSONEachRow' });
    expect(normalise(await rs.json())).toEqual([{ n: String(2 * everyEventType().length + 1) }]);
  });
});
