/** Postgres identifiers we interpolate: checked once, then always double-quoted. */
export function quoteSchema(schema: string): string {
  if (typeof schema !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid Postgres schema name: ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}

/**
 * Long param and tag values (up to 6000 / 5000 chars) do not fit a btree entry (2704 bytes), so value indexes
 * cover this prefix; a search uses `left(value, 200) = left($v, 200) AND value = $v` to reach the index.
 */
export const INDEXED_VALUE_PREFIX = 200;

/** Idempotent DDL for the projection in schema `s` (already quoted). Times are epoch milliseconds (bigint). */
export function ddl(s: string): string[] {
  const p = INDEXED_VALUE_PREFIX;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.experiments (
       experiment_id text PRIMARY KEY,
       project text NOT NULL,
       name text,
       description text,
       created_at bigint)`,
    `CREATE INDEX IF NOT EXISTS experiments_project_name ON ${s}.experiments (project, name)`,
    // Schema version 2 events (rename, delete/restore): null lifecycle_stage = active (never deleted).
    `ALTER TABLE ${s}.experiments ADD COLUMN IF NOT EXISTS lifecycle_stage text`,
    `ALTER TABLE ${s}.experiments ADD COLUMN IF NOT EXISTS last_update_time bigint`,
    `CREATE TABLE IF NOT EXISTS ${s}.experiment_tags (
       experiment_id text NOT NULL,
       key text NOT NULL,
       value text NOT NULL,
       PRIMARY KEY (experiment_id, key))`,
    `CREATE TABLE IF NOT EXISTS ${s}.runs (
       run_id text PRIMARY KEY,
       experiment_id text NOT NULL,
       project text NOT NULL,
       run_name text,
       user_name text,
       parent_run_id text,
       status text,
       start_time bigint,
       end_time bigint,
       source_git_commit text,
       source_git_branch text,
       source_git_dirty boolean,
       source_entry_point text,
       source_host text,
       context jsonb)`,
    `ALTER TABLE ${s}.runs ADD COLUMN IF NOT EXISTS lifecycle_stage text`,
    `CREATE INDEX IF NOT EXISTS runs_experiment_start ON ${s}.runs (experiment_id, start_time DESC, run_id)`,
    `CREATE INDEX IF NOT EXISTS runs_parent ON ${s}.runs (parent_run_id) WHERE parent_run_id IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS ${s}.params (
       run_id text NOT NULL,
       key text NOT NULL,
       value text NOT NULL,
       event_id uuid NOT NULL,
       logged_at bigint NOT NULL,
       PRIMARY KEY (run_id, key))`,
    `CREATE INDEX IF NOT EXISTS params_key_value ON ${s}.params (key, left(value, ${p}))`,
    // Searches test `left(value, N) = $v AND value = $v` (the first to use the index). Without this the planner takes
    // the two as independent, squares their selectivity, and starts from the param index even for a common value
    // (25,000 rows estimated as 14): 3–4× slower searches in bench/query.
    `CREATE STATISTICS IF NOT EXISTS ${s}.params_value_prefix (dependencies) ON value, (left(value, ${p})) FROM ${s}.params`,
    `CREATE TABLE IF NOT EXISTS ${s}.param_conflicts (
       run_id text NOT NULL,
       key text NOT NULL,
       value text NOT NULL,
       event_id uuid NOT NULL,
       logged_at bigint NOT NULL,
       PRIMARY KEY (run_id, key, event_id))`,
    `CREATE TABLE IF NOT EXISTS ${s}.tags (
       run_id text NOT NULL,
       key text NOT NULL,
       value text NOT NULL,
       PRIMARY KEY (run_id, key))`,
    `CREATE INDEX IF NOT EXISTS tags_key_value ON ${s}.tags (key, left(value, ${p}))`,
    `CREATE STATISTICS IF NOT EXISTS ${s}.tags_value_prefix (dependencies) ON value, (left(value, ${p})) FROM ${s}.tags`,
    `CREATE TABLE IF NOT EXISTS ${s}.latest_metrics (
       run_id text NOT NULL,
       key text NOT NULL,
       value double precision NOT NULL,
       step bigint NOT NULL,
       "timestamp" bigint NOT NULL,
       min_value double precision,
       max_value double precision,
       count bigint NOT NULL,
       PRIMARY KEY (run_id, key))`,
    `CREATE INDEX IF NOT EXISTS latest_metrics_key_value ON ${s}.latest_metrics (key, value)`,
    `CREATE TABLE IF NOT EXISTS ${s}.artifacts (
       run_id text NOT NULL,
       path text NOT NULL,
       uri text NOT NULL,
       size_bytes bigint,
       sha256 text,
       media_type text,
       logged_at bigint NOT NULL,
       PRIMARY KEY (run_id, path))`,
    `CREATE TABLE IF NOT EXISTS ${s}.lineage (
       run_id text NOT NULL,
       direction text NOT NULL,
       kind text NOT NULL,
       name text NOT NULL,
       version text,
       digest text,
       logged_at bigint NOT NULL)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS lineage_identity ON ${s}.lineage (run_id, direction, kind, name, (COALESCE(version, '')), (COALESCE(digest, '')))`,
    `CREATE INDEX IF NOT EXISTS lineage_ref ON ${s}.lineage (kind, name)`,
    // The lineage graph (lineage-graph.ts). node_id is a hash of (project, kind, name, version, digest); names can be
    // 5000 characters, so lookups by name go through the indexed prefix and then compare the whole name.
    `CREATE TABLE IF NOT EXISTS ${s}.lineage_nodes (
       node_id text PRIMARY KEY,
       project text NOT NULL,
       kind text NOT NULL,
       name text NOT NULL,
       version text,
       digest text,
       first_seen bigint NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS lineage_nodes_name ON ${s}.lineage_nodes (kind, left(name, ${p}), project)`,
    `CREATE TABLE IF NOT EXISTS ${s}.lineage_edges (
       src text NOT NULL,
       dst text NOT NULL,
       relation text NOT NULL,
       project text NOT NULL,
       first_seen bigint NOT NULL,
       PRIMARY KEY (src, dst, relation))`,
    `CREATE INDEX IF NOT EXISTS lineage_edges_dst ON ${s}.lineage_edges (dst, src)`,
    // Collaboration (collab.ts). Deleted notes and annotations stay as tombstones (deleted, text cleared).
    `CREATE TABLE IF NOT EXISTS ${s}.notes (
       note_id uuid PRIMARY KEY,
       project text NOT NULL,
       experiment_id text NOT NULL,
       run_id text,
       author text NOT NULL,
       text text NOT NULL,
       created_at bigint NOT NULL,
       updated_at bigint NOT NULL,
       edited_by text,
       deleted boolean NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS notes_run ON ${s}.notes (run_id) WHERE run_id IS NOT NULL AND NOT deleted`,
    `CREATE INDEX IF NOT EXISTS notes_experiment ON ${s}.notes (experiment_id) WHERE run_id IS NULL AND NOT deleted`,
    `CREATE TABLE IF NOT EXISTS ${s}.annotations (
       annotation_id uuid PRIMARY KEY,
       project text NOT NULL,
       run_id text NOT NULL,
       key text NOT NULL,
       step bigint NOT NULL,
       text text NOT NULL,
       author text NOT NULL,
       created_at bigint NOT NULL,
       deleted boolean NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS annotations_run ON ${s}.annotations (run_id, key, step)`,
    `CREATE TABLE IF NOT EXISTS ${s}.run_stars (
       run_id text NOT NULL,
       principal text NOT NULL,
       updated_at bigint NOT NULL,
       PRIMARY KEY (run_id, principal))`,
    `CREATE TABLE IF NOT EXISTS ${s}.run_pins (
       run_id text PRIMARY KEY,
       pinned boolean NOT NULL,
       updated_at bigint NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${s}.saved_views (
       experiment_id text NOT NULL,
       name text NOT NULL,
       project text NOT NULL,
       filter text,
       order_by jsonb NOT NULL,
       columns jsonb NOT NULL,
       author text NOT NULL,
       updated_at bigint NOT NULL,
       PRIMARY KEY (experiment_id, name))`,
    `CREATE TABLE IF NOT EXISTS ${s}.projector_checkpoints (
       topic text NOT NULL,
       partition integer NOT NULL,
       next_offset bigint NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (topic, partition))`,
    // One row per event ever applied: a producer retry re-sends the same event_id at another offset.
    `CREATE TABLE IF NOT EXISTS ${s}.projector_applied_events (event_id uuid PRIMARY KEY)`,
  ];
}
