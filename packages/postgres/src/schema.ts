import { PG_NAME_PATTERN } from '@trackstream/config';

/** Postgres identifiers we interpolate: checked once, then always double-quoted. */
export function quoteSchema(schema: string): string {
  if (typeof schema !== 'string' || !PG_NAME_PATTERN.test(schema)) throw new Error(`invalid Postgres schema name: ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}

/**
 * The projection's table names: the one place they are spelled. The DDL below, the sink, the read model and the
 * search compiler all import them (qualified by the quoted schema: `${quoteSchema(schema)}.${PG_TABLES.runs}`).
 */
export const PG_TABLES = Object.freeze({
  experiments: 'experiments',
  experimentTags: 'experiment_tags',
  runs: 'runs',
  params: 'params',
  paramConflicts: 'param_conflicts',
  tags: 'tags',
  latestMetrics: 'latest_metrics',
  artifacts: 'artifacts',
  lineage: 'lineage',
  lineageNodes: 'lineage_nodes',
  lineageEdges: 'lineage_edges',
  notes: 'notes',
  annotations: 'annotations',
  runStars: 'run_stars',
  runPins: 'run_pins',
  savedViews: 'saved_views',
  checkpoints: 'projector_checkpoints',
  appliedEvents: 'projector_applied_events',
} as const);

/** The tables that hold projected state (not the projector's bookkeeping: checkpoints, applied event ids). */
export const PROJECTED_TABLES = Object.freeze([
  PG_TABLES.experiments,
  PG_TABLES.experimentTags,
  PG_TABLES.runs,
  PG_TABLES.params,
  PG_TABLES.paramConflicts,
  PG_TABLES.tags,
  PG_TABLES.latestMetrics,
  PG_TABLES.artifacts,
  PG_TABLES.lineage,
  PG_TABLES.lineageNodes,
  PG_TABLES.lineageEdges,
  PG_TABLES.notes,
  PG_TABLES.annotations,
  PG_TABLES.runStars,
  PG_TABLES.runPins,
  PG_TABLES.savedViews,
] as const);
export type ProjectedTable = (typeof PROJECTED_TABLES)[number];

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
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.experiments} (
       experiment_id text PRIMARY KEY,
       project text NOT NULL,
       name text,
       description text,
       created_at bigint)`,
    `CREATE INDEX IF NOT EXISTS experiments_project_name ON ${s}.${PG_TABLES.experiments} (project, name)`,
    // Schema version 2 events (rename, delete/restore): null lifecycle_stage = active (never deleted).
    `ALTER TABLE ${s}.${PG_TABLES.experiments} ADD COLUMN IF NOT EXISTS lifecycle_stage text`,
    `ALTER TABLE ${s}.${PG_TABLES.experiments} ADD COLUMN IF NOT EXISTS last_update_time bigint`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.experimentTags} (
       experiment_id text NOT NULL,
       key text NOT NULL,
       value text NOT NULL,
       PRIMARY KEY (experiment_id, key))`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.runs} (
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
    `ALTER TABLE ${s}.${PG_TABLES.runs} ADD COLUMN IF NOT EXISTS lifecycle_stage text`,
    `CREATE INDEX IF NOT EXISTS runs_experiment_start ON ${s}.${PG_TABLES.runs} (experiment_id, start_time DESC, run_id)`,
    `CREATE INDEX IF NOT EXISTS runs_parent ON ${s}.${PG_TABLES.runs} (parent_run_id) WHERE parent_run_id IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.params} (
       run_id text NOT NULL,
       key text NOT NULL,
       value text NOT NULL,
       event_id uuid NOT NULL,
       logged_at bigint NOT NULL,
       PRIMARY KEY (run_id, key))`,
    `CREATE INDEX IF NOT EXISTS params_key_value ON ${s}.${PG_TABLES.params} (key, left(value, ${p}))`,
    // Searches test `left(value, N) = $v AND value = $v` (the first to use the index). Without this the planner takes
    // the two as independent, squares their selectivity, and starts from the param index even for a common value
    // (25,000 rows estimated as 14): 3–4× slower searches in bench/query.
    `CREATE STATISTICS IF NOT EXISTS ${s}.params_value_prefix (dependencies) ON value, (left(value, ${p})) FROM ${s}.${PG_TABLES.params}`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.paramConflicts} (
       run_id text NOT NULL,
       key text NOT NULL,
       value text NOT NULL,
       event_id uuid NOT NULL,
       logged_at bigint NOT NULL,
       PRIMARY KEY (run_id, key, event_id))`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.tags} (
       run_id text NOT NULL,
       key text NOT NULL,
       value text NOT NULL,
       PRIMARY KEY (run_id, key))`,
    `CREATE INDEX IF NOT EXISTS tags_key_value ON ${s}.${PG_TABLES.tags} (key, left(value, ${p}))`,
    `CREATE STATISTICS IF NOT EXISTS ${s}.tags_value_prefix (dependencies) ON value, (left(value, ${p})) FROM ${s}.${PG_TABLES.tags}`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.latestMetrics} (
       run_id text NOT NULL,
       key text NOT NULL,
       value double precision NOT NULL,
       step bigint NOT NULL,
       "timestamp" bigint NOT NULL,
       min_value double precision,
       max_value double precision,
       count bigint NOT NULL,
       PRIMARY KEY (run_id, key))`,
    `CREATE INDEX IF NOT EXISTS latest_metrics_key_value ON ${s}.${PG_TABLES.latestMetrics} (key, value)`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.artifacts} (
       run_id text NOT NULL,
       path text NOT NULL,
       uri text NOT NULL,
       size_bytes bigint,
       sha256 text,
       media_type text,
       logged_at bigint NOT NULL,
       PRIMARY KEY (run_id, path))`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.lineage} (
       run_id text NOT NULL,
       direction text NOT NULL,
       kind text NOT NULL,
       name text NOT NULL,
       version text,
       digest text,
       logged_at bigint NOT NULL)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS lineage_identity ON ${s}.${PG_TABLES.lineage} (run_id, direction, kind, name, (COALESCE(version, '')), (COALESCE(digest, '')))`,
    `CREATE INDEX IF NOT EXISTS lineage_ref ON ${s}.${PG_TABLES.lineage} (kind, name)`,
    // The lineage graph (lineage-graph.ts). node_id is a hash of (project, kind, name, version, digest); names can be
    // 5000 characters, so lookups by name go through the indexed prefix and then compare the whole name.
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.lineageNodes} (
       node_id text PRIMARY KEY,
       project text NOT NULL,
       kind text NOT NULL,
       name text NOT NULL,
       version text,
       digest text,
       first_seen bigint NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS lineage_nodes_name ON ${s}.${PG_TABLES.lineageNodes} (kind, left(name, ${p}), project)`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.lineageEdges} (
       src text NOT NULL,
       dst text NOT NULL,
       relation text NOT NULL,
       project text NOT NULL,
       first_seen bigint NOT NULL,
       PRIMARY KEY (src, dst, relation))`,
    `CREATE INDEX IF NOT EXISTS lineage_edges_dst ON ${s}.${PG_TABLES.lineageEdges} (dst, src)`,
    // Collaboration (collab.ts). Deleted notes and annotations stay as tombstones (deleted, text cleared).
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.notes} (
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
    `CREATE INDEX IF NOT EXISTS notes_run ON ${s}.${PG_TABLES.notes} (run_id) WHERE run_id IS NOT NULL AND NOT deleted`,
    `CREATE INDEX IF NOT EXISTS notes_experiment ON ${s}.${PG_TABLES.notes} (experiment_id) WHERE run_id IS NULL AND NOT deleted`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.annotations} (
       annotation_id uuid PRIMARY KEY,
       project text NOT NULL,
       run_id text NOT NULL,
       key text NOT NULL,
       step bigint NOT NULL,
       text text NOT NULL,
       author text NOT NULL,
       created_at bigint NOT NULL,
       deleted boolean NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS annotations_run ON ${s}.${PG_TABLES.annotations} (run_id, key, step)`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.runStars} (
       run_id text NOT NULL,
       principal text NOT NULL,
       updated_at bigint NOT NULL,
       PRIMARY KEY (run_id, principal))`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.runPins} (
       run_id text PRIMARY KEY,
       pinned boolean NOT NULL,
       updated_at bigint NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.savedViews} (
       experiment_id text NOT NULL,
       name text NOT NULL,
       project text NOT NULL,
       filter text,
       order_by jsonb NOT NULL,
       columns jsonb NOT NULL,
       author text NOT NULL,
       updated_at bigint NOT NULL,
       PRIMARY KEY (experiment_id, name))`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.checkpoints} (
       topic text NOT NULL,
       partition integer NOT NULL,
       next_offset bigint NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (topic, partition))`,
    // One row per event ever applied: a producer retry re-sends the same event_id at another offset.
    `CREATE TABLE IF NOT EXISTS ${s}.${PG_TABLES.appliedEvents} (event_id uuid PRIMARY KEY)`,
  ];
}
