import type { ClickHouseClient } from '@clickhouse/client';
import { ddlStatements, identifier, qualified, stringLiteral, TABLES } from '@trackstream/clickhouse';
import { CliError, messageOf } from './errors';
import type { TableSum, VerifyReport } from './verify';

/**
 * What verify hashes per table (read with FINAL). Left out: `checkpoints` (bookkeeping, updated_at differs) and
 * the view `run_metric_summaries` (computed from metric_points, so equal whenever metric_points is).
 */
export const CH_VERIFIED: Record<string, { columns: string[]; show: string }> = {
  [TABLES.metricPoints]: {
    columns: ['project', 'experiment_id', 'run_id', 'key', 'step', 'timestamp', 'value_bits', 'event_id', 'point_index', 'offset'],
    show: "concat(run_id, ' ', key, ' step=', toString(step), ' value=', toString(value), ' event=', event_id)",
  },
  [TABLES.events]: {
    columns: ['event_id', 'type', 'project', 'experiment_id', "ifNull(run_id, '')", 'isNull(run_id)', 'occurred_at', 'received_at', 'principal', 'payload', 'partition', 'offset'],
    show: "concat(event_id, ' ', type, ' run=', ifNull(run_id, ''), ' ', payload)",
  },
};

export async function chQuery<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  try {
    const rs = await client.query({ query, format: 'JSONEachRow' });
    return (await rs.json()) as T[];
  } catch (err) {
    throw new CliError('CLICKHOUSE_UNAVAILABLE', `clickhouse: ${messageOf(err)}`, { retriable: true, cause: err });
  }
}

export async function chCommand(client: ClickHouseClient, query: string): Promise<void> {
  try {
    await client.command({ query });
  } catch (err) {
    throw new CliError('CLICKHOUSE_FAILED', `clickhouse: ${messageOf(err)}`, { retriable: true, cause: err });
  }
}

export async function chDatabaseExists(client: ClickHouseClient, db: string): Promise<boolean> {
  const rows = await chQuery<{ n: string | number }>(client, `SELECT count() AS n FROM system.databases WHERE name = ${stringLiteral(db)}`);
  return Number(rows[0]!.n) > 0;
}

function hashExpr(cols: string[]): string {
  return `cityHash64(${cols.map((c) => (/^[a-z_]+$/.test(c) ? identifier(c).text : c)).join(', ')})`;
}

/** Row count and checksum of one table; sum() of UInt64 wraps modulo 2^64, still independent of row order. */
export function sumsQuery(db: string, table: string): string {
  return `SELECT toString(count()) AS rows, toString(sum(${hashExpr(CH_VERIFIED[table]!.columns)})) AS checksum FROM ${qualified(db, table).text} FINAL`;
}

/** Rows of x.table whose content hash y.table lacks, shown readably. */
export function onlyInQuery(x: string, y: string, table: string, limit: number): string {
  const spec = CH_VERIFIED[table]!;
  const h = hashExpr(spec.columns);
  return `SELECT ${spec.show} AS r FROM ${qualified(x, table).text} FINAL WHERE ${h} NOT IN (SELECT ${h} FROM ${qualified(y, table).text} FINAL) LIMIT ${limit}`;
}

/** One RENAME for every pair: live tables (those that exist) to backup, target tables to live. */
export function switchStatement(live: string, target: string, backup: string, liveTables: ReadonlySet<string>): string {
  const tables = [TABLES.metricPoints, TABLES.events, TABLES.checkpoints];
  const pairs: string[] = [];
  for (const t of tables) if (liveTables.has(t)) pairs.push(`${qualified(live, t).text} TO ${qualified(backup, t).text}`);
  for (const t of tables) pairs.push(`${qualified(target, t).text} TO ${qualified(live, t).text}`);
  return `RENAME TABLE ${pairs.join(', ')}`;
}

export async function chTableSums(client: ClickHouseClient, db: string): Promise<Map<string, TableSum>> {
  const out = new Map<string, TableSum>();
  for (const table of Object.keys(CH_VERIFIED)) {
    const rows = await chQuery<{ rows: string; checksum: string }>(client, sumsQuery(db, table));
    out.set(table, rows[0]!);
  }
  return out;
}

export async function chVerify(client: ClickHouseClient, a: string, b: string, limit = 10): Promise<VerifyReport> {
  for (const d of [a, b]) if (!(await chDatabaseExists(client, d))) throw new CliError('NOT_FOUND', `clickhouse database ${d} does not exist`, { exitCode: 2 });
  const [sa, sb] = [await chTableSums(client, a), await chTableSums(client, b)];
  const report: VerifyReport = { tables: [], differences: [] };
  for (const table of Object.keys(CH_VERIFIED)) {
    const ta = sa.get(table)!;
    const tb = sb.get(table)!;
    const equal = ta.rows === tb.rows && ta.checksum === tb.checksum;
    report.tables.push({ table, a: ta, b: tb, equal });
    if (equal) continue;
    const only = async (x: string, y: string) => (await chQuery<{ r: string }>(client, onlyInQuery(x, y, table, limit))).map((r) => r.r);
    report.differences.push({ table, a: ta, b: tb, onlyInA: await only(a, b), onlyInB: await only(b, a) });
  }
  return report;
}

export async function chCheckpoints(client: ClickHouseClient, db: string, topic: string): Promise<Map<number, bigint>> {
  const rows = await chQuery<{ partition: number; next_offset: string }>(
    client,
    `SELECT partition, toString(max(next_offset)) AS next_offset FROM ${qualified(db, TABLES.checkpoints).text} WHERE topic = '${topic.replace(/[\\']/g, '\\$&')}' GROUP BY partition`,
  );
  return new Map(rows.map((r) => [Number(r.partition), BigInt(r.next_offset)]));
}

/**
 * Moves the live tables to `backup` and the rebuilt ones into `live` in ONE `RENAME TABLE` statement (ClickHouse
 * 18.16 accepts several `a TO b` pairs and applies them under one lock). The view stays in `live`: it names
 * `live`.metric_points, which is now the rebuilt table. The emptied target database (its view only) is dropped;
 * `backup` gets its own view.
 */
export async function chSwitch(client: ClickHouseClient, live: string, target: string, backup: string): Promise<void> {
  const liveExists = await chDatabaseExists(client, live);
  await chCommand(client, `CREATE DATABASE IF NOT EXISTS ${identifier(backup).text}`);
  if (!liveExists) await chCommand(client, `CREATE DATABASE IF NOT EXISTS ${identifier(live).text}`);
  const liveTables = new Set(
    (await chQuery<{ name: string }>(client, `SELECT name FROM system.tables WHERE database = ${stringLiteral(live)}`)).map((r) => r.name),
  );
  await chCommand(client, switchStatement(live, target, backup, liveTables));
  for (const db of [live, backup]) for (const s of ddlStatements(db)) await chCommand(client, s.text);
  await chCommand(client, `DROP DATABASE IF EXISTS ${identifier(target).text}`);
}
