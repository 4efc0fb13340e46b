import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { TABLES, checkpointRow, ddlStatements, qualified, metricPointRows, toRows } from '@trackstream/clickhouse';
import { TestEvents, recordsOf } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase, type TestClickHouseDatabase } from '@trackstream/testkit';
import { checkpointsQuery, historyBucketsQuery, historyPageQuery, historyPointsQuery, historyStatsQuery, metricStatsQuery, runParamEventsQuery, subjectEventsQuery } from './ch-queries';

/**
 * The query API's ClickHouse statements must run on 18.16 (the local stack) and on a current ClickHouse (chdb,
 * installed by the clickhouse package's script), with the same rows.
 */
const SCRIPTS = path.resolve(__dirname, '../../../packages/clickhouse/scripts');

function runInChdb(statements: string[]): { version: string; results: ({ ok: true; rows: Record<string, unknown>[] } | { ok: false; error: string })[] } {
  const out = execFileSync('python3', [path.join(SCRIPTS, 'chdb_run.py')], { input: JSON.stringify({ statements }), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8'));
}

const text = (rows: unknown): unknown => JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === 'number' ? String(v) : v)));

let ch: TestClickHouseDatabase;
let statements: string[];
let queries: { name: string; text: string }[];

beforeAll(async () => {
  execFileSync('bash', [path.join(SCRIPTS, 'ensure-chdb.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  ch = await createTestClickHouseDatabase('qa_compat');
  const db = ch.database;
  const ev = new TestEvents('proj');
  const events = [
    ...ev.sampleStream('exp-a', 2),
    ev.metricsLogged('exp-a', 'exp-a-run-0', Array.from({ length: 500 }, (_, step) => ({ key: 'curve', value: step === 77 ? 9 : step % 50 === 3 ? NaN : step / 500, step }))),
  ];
  const records = recordsOf(events);
  const rows = toRows(records, 0);
  const insert = (table: string, r: readonly object[]) => `INSERT INTO ${qualified(db, table).text} FORMAT JSONEachRow\n${r.map((x) => JSON.stringify(x)).join('\n')}\n`;
  const inserts = [insert(TABLES.metricPoints, metricPointRows(rows.pointGroups)), insert(TABLES.events, rows.events), insert(TABLES.checkpoints, [checkpointRow('t', 0, String(records.length), 1)])];
  statements = [...ddlStatements(db).map((s) => s.text), ...inserts, ...inserts];
  const m = { project: 'proj', runId: 'exp-a-run-0', key: 'curve' };
  queries = [
    { name: 'history stats', text: historyStatsQuery(db, m).text },
    { name: 'history points', text: historyPointsQuery(db, { ...m, key: 'loss' }).text },
    { name: 'history page', text: historyPageQuery(db, m, 100, 50).text },
    { name: 'history buckets', text: historyBucketsQuery(db, m, 0n, 7n).text },
    { name: 'history stats (step range)', text: historyStatsQuery(db, m, { from: 70n, to: -1n + 200n }).text },
    { name: 'history buckets (step range)', text: historyBucketsQuery(db, m, 70n, 3n, { from: 70n, to: 199n }).text },
    { name: 'metric stats', text: metricStatsQuery(db, ['proj'], ['exp-a-run-0', 'exp-a-run-1'], null).text },
    { name: 'metric stats (keys)', text: metricStatsQuery(db, ['proj'], ['exp-a-run-1'], ['acc', 'bad']).text },
    { name: 'metric stats (hostile)', text: metricStatsQuery(db, ["x' OR 1=1 --"], ["run'\\", '\u0000'], ['🚀']).text },
    { name: 'checkpoints', text: checkpointsQuery(db, 't').text },
    { name: 'run events', text: subjectEventsQuery(db, 'proj', { runId: 'exp-a-run-0' }, null, 50).text },
    { name: 'run events (after)', text: subjectEventsQuery(db, 'proj', { runId: 'exp-a-run-0' }, 1n, 2).text },
    { name: 'experiment events', text: subjectEventsQuery(db, 'proj', { experimentId: 'exp-a' }, null, 50).text },
    { name: 'run param events', text: runParamEventsQuery(db, 'proj', 'exp-a-run-0', 100n).text },
  ];
  for (const s of statements) await ch.client.command({ query: s });
}, 300_000);

afterAll(async () => {
  await ch?.cleanup();
});

test('every query of the query API gives the same rows on 18.16 and on a current ClickHouse', async () => {
  const chdb = runInChdb([...statements, ...queries.map((q) => q.text)]);
  expect(chdb.version).toMatch(/^2\d\./);
  const current = chdb.results.slice(statements.length);
  for (const [i, q] of queries.entries()) {
    const old = await (await ch.client.query({ query: q.text, format: 'JSONEachRow' })).json<Record<string, unknown>>();
    const now = current[i]!;
    expect({ query: q.name, rows: text(now.ok ? now.rows : now.error) }).toEqual({ query: q.name, rows: text(old) });
    if (q.name !== 'metric stats (hostile)') expect(old.length).toBeGreaterThan(0);
  }
});
