import type { Pool } from 'pg';
import { inTransaction, PG_TABLES, PROJECTED_TABLES, type ProjectedTable } from '@trackstream/postgres';
import { CliError, messageOf } from './errors';
import type { TableSum, VerifyReport } from './verify';

/**
 * The projected tables verify compares. Left out: `projector_checkpoints` (offsets and updated_at are bookkeeping)
 * and `projector_applied_events` (the set of applied ids, equal whenever the tables are).
 */
export const PG_VERIFIED_TABLES: readonly ProjectedTable[] = PROJECTED_TABLES;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function pgQuery<T extends object>(pool: Pool, text: string, values: unknown[] = []): Promise<T[]> {
  try {
    return (await pool.query(text, values)).rows as T[];
  } catch (err) {
    throw new CliError('POSTGRES_UNAVAILABLE', `postgres: ${messageOf(err)}`, { retriable: true, cause: err });
  }
}

export async function pgSchemaExists(pool: Pool, schema: string): Promise<boolean> {
  const rows = await pgQuery<{ n: string }>(pool, 'SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = $1', [schema]);
  return rows[0]!.n !== '0';
}

export async function pgTableSums(pool: Pool, schema: string): Promise<Map<string, TableSum>> {
  const out = new Map<string, TableSum>();
  for (const table of PG_VERIFIED_TABLES) {
    // Sum of the first 64 bits of each row's md5, as numeric: independent of row order and of physical layout.
    const rows = await pgQuery<{ rows: string; checksum: string }>(
      pool,
      `SELECT count(*)::text AS rows, coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text AS checksum
       FROM ${q(schema)}.${q(table)} t`,
    );
    out.set(table, rows[0]!);
  }
  return out;
}

export async function pgVerify(pool: Pool, a: string, b: string, limit = 10): Promise<VerifyReport> {
  for (const s of [a, b]) if (!(await pgSchemaExists(pool, s))) throw new CliError('NOT_FOUND', `postgres schema ${s} does not exist`, { exitCode: 2 });
  const [sa, sb] = [await pgTableSums(pool, a), await pgTableSums(pool, b)];
  const report: VerifyReport = { tables: [], differences: [] };
  for (const table of PG_VERIFIED_TABLES) {
    const ta = sa.get(table)!;
    const tb = sb.get(table)!;
    const equal = ta.rows === tb.rows && ta.checksum === tb.checksum;
    report.tables.push({ table, a: ta, b: tb, equal });
    if (equal) continue;
    const only = async (x: string, y: string) =>
      (
        await pgQuery<{ r: unknown }>(
          pool,
          `SELECT row_to_json(d) AS r FROM (SELECT * FROM ${q(x)}.${q(table)} EXCEPT ALL SELECT * FROM ${q(y)}.${q(table)}) d LIMIT ${limit}`,
        )
      ).map((r) => JSON.stringify(r.r));
    report.differences.push({ table, a: ta, b: tb, onlyInA: await only(a, b), onlyInB: await only(b, a) });
  }
  return report;
}

export async function pgCheckpoints(pool: Pool, schema: string, topic: string): Promise<Map<number, bigint>> {
  const rows = await pgQuery<{ partition: number; next_offset: string }>(
    pool,
    `SELECT partition, next_offset::text FROM ${q(schema)}.${PG_TABLES.checkpoints} WHERE topic = $1`,
    [topic],
  );
  return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
}

/** Live ↔ rebuilt in one transaction: readers see the old schema or the new one, never a mix. */
export async function pgSwitch(pool: Pool, live: string, target: string, backup: string): Promise<void> {
  try {
    await inTransaction(pool, async (c) => {
      if ((await c.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [live])).rowCount) {
        await c.query(`ALTER SCHEMA ${q(live)} RENAME TO ${q(backup)}`);
      }
      await c.query(`ALTER SCHEMA ${q(target)} RENAME TO ${q(live)}`);
    });
  } catch (err) {
    throw new CliError('SWITCH_FAILED', `postgres: switching ${target} → ${live} failed, nothing changed: ${messageOf(err)}`, { cause: err });
  }
}
