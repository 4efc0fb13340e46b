import type { Pool } from 'pg';
import { quoteSchema, type ProjectedTable } from './schema';

/**
 * Every projected row of `schema`, canonically ordered, bigint columns as numbers: what tests compare
 * (crash runs against uninterrupted runs, one batch against many). Checkpoints and applied ids are left out.
 */
export type { ProjectedTable };
export type ProjectionSnapshot = Record<ProjectedTable, Record<string, unknown>[]>;

/** Every projected table (PROJECTED_TABLES) with its canonical order. */
const TABLE_ORDER: Readonly<Record<ProjectedTable, string>> = {
  experiments: 'experiment_id',
  experiment_tags: 'experiment_id, key',
  runs: 'run_id',
  params: 'run_id, key',
  param_conflicts: 'run_id, key, event_id',
  tags: 'run_id, key',
  latest_metrics: 'run_id, key',
  artifacts: 'run_id, path',
  lineage: "run_id, direction, kind, name, COALESCE(version, ''), COALESCE(digest, '')",
  lineage_nodes: 'node_id',
  lineage_edges: 'src, dst, relation',
  notes: 'note_id',
  annotations: 'annotation_id',
  run_stars: 'run_id, principal',
  run_pins: 'run_id',
  saved_views: 'experiment_id, name',
};
export async function readProjection(pool: Pool, schema: string): Promise<ProjectionSnapshot> {
  const s = quoteSchema(schema);
  const tables = TABLE_ORDER;
  const out = {} as ProjectionSnapshot;
  for (const [table, order] of Object.entries(tables) as [ProjectedTable, string][]) {
    const { rows } = await pool.query<Record<string, unknown>>(`SELECT * FROM ${s}.${table} ORDER BY ${order}`);
    out[table] = rows.map(normalise);
  }
  return out;
}

const BIGINT_COLUMNS = new Set(['created_at', 'start_time', 'end_time', 'logged_at', 'step', 'timestamp', 'count', 'size_bytes', 'last_update_time', 'first_seen', 'updated_at']);

function normalise(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = BIGINT_COLUMNS.has(k) && typeof v === 'string' ? Number(v) : v;
  return out;
}
