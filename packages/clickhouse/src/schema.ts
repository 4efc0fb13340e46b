import { identifier, qualified, raw, sql, type SqlFragment } from './sql';

/**
 * The ClickHouse projection's tables. Every statement is in the subset ClickHouse 18.16 and current releases both
 * accept (ddl-compat.int.test.ts runs them through both): no DateTime64 (times are Int64/UInt64 ms), no TTL,
 * no LowCardinality, no codecs, MergeTree family in the `ENGINE = X() ORDER BY …` form.
 *
 * Redelivery: a crash between the data insert and the checkpoint makes the projector insert some records again.
 * Every table is a ReplacingMergeTree whose sorting key is the row's identity, and a redelivered record produces
 * byte-identical rows, so reads with FINAL (or the summary view, which uses FINAL) see each row once.
 *
 * No PARTITION BY: a point's only times are producer-chosen, and a partition key derived from them would
 * let one odd batch span hundreds of partitions, which the server refuses ("too many partitions for single INSERT
 * block") on every retry, stalling the projector. One partition per table is fine at this scale.
 */
export const DEFAULT_DATABASE = 'trackstream';

export const TABLES = {
  metricPoints: 'metric_points',
  events: 'events',
  runMetricSummaries: 'run_metric_summaries',
  checkpoints: 'checkpoints',
} as const;

/**
 * ReplacingMergeTree keeps the row with the highest version. A producer retry can put an event in the log twice;
 * projections apply an event id once, so the copy that counts is the first delivery (lowest offset; a run's
 * events share one partition): version = bitNot(offset) = 2^64-1-offset. The server computes it, so the sink
 * never sends it and `SELECT *` never shows it.
 */
const FIRST_DELIVERY_WINS = 'UInt64 MATERIALIZED bitNot(offset)';

/** Column → ClickHouse type, in insert order. The row types in rows.ts follow the same names. */
export const METRIC_POINT_COLUMNS = {
  project: 'String',
  experiment_id: 'String',
  run_id: 'String',
  key: 'String',
  step: 'Int64',
  timestamp: 'Int64',
  value_bits: 'UInt64',
  // 18.16's JSON number parser is off by 1-2 ULP for some doubles (e.g. 1.3556530576914529e-306), so the sink sends
  // the IEEE-754 bits and the server derives the value: every double, NaN, ±inf and -0 is stored bit for bit.
  value: 'Float64 MATERIALIZED reinterpretAsFloat64(reinterpretAsString(value_bits))',
  event_id: 'String',
  point_index: 'UInt32',
  offset: 'UInt64',
  dedup_version: FIRST_DELIVERY_WINS,
} as const;

export const EVENT_COLUMNS = {
  event_id: 'String',
  type: 'String',
  project: 'String',
  experiment_id: 'String',
  run_id: 'Nullable(String)',
  occurred_at: 'Int64',
  received_at: 'UInt64',
  principal: 'String',
  payload: 'String',
  partition: 'UInt32',
  offset: 'UInt64',
  dedup_version: FIRST_DELIVERY_WINS,
} as const;

export const CHECKPOINT_COLUMNS = {
  topic: 'String',
  partition: 'UInt32',
  next_offset: 'UInt64',
  updated_at: 'UInt64',
} as const;

function columns(cols: Record<string, string>): string {
  return Object.entries(cols)
    .map(([name, type]) => `${identifier(name).text} ${type}`)
    .join(',\n  ');
}

/** The statements setup() runs, in order. All idempotent. */
export function ddlStatements(database: string = DEFAULT_DATABASE): SqlFragment[] {
  const t = (name: string) => qualified(database, name);
  return [
    sql`CREATE DATABASE IF NOT EXISTS ${identifier(database)}`,

    // A point's identity is (event_id, point_index): two events may log the same key and step, and both points
    // count; a redelivered or retried event's points collapse into one.
    sql`CREATE TABLE IF NOT EXISTS ${t(TABLES.metricPoints)} (
  ${raw(columns(METRIC_POINT_COLUMNS))}
) ENGINE = ReplacingMergeTree(dedup_version)
ORDER BY (project, run_id, key, step, event_id, point_index)`,

    // One row per event_id (the contract's idempotency key), whatever the log holds.
    sql`CREATE TABLE IF NOT EXISTS ${t(TABLES.events)} (
  ${raw(columns(EVENT_COLUMNS))}
) ENGINE = ReplacingMergeTree(dedup_version)
ORDER BY event_id`,

    // Next offset per partition; a checkpoint never moves backwards, so readers take max(next_offset) and
    // merges keep the highest one.
    sql`CREATE TABLE IF NOT EXISTS ${t(TABLES.checkpoints)} (
  ${raw(columns(CHECKPOINT_COLUMNS))}
) ENGINE = ReplacingMergeTree(next_offset)
ORDER BY (topic, partition)`,

    // Computed at read from the deduplicated points: correct under any redelivery, nothing to keep in step.
    sql`CREATE VIEW IF NOT EXISTS ${t(TABLES.runMetricSummaries)} AS
${summarySelect(database, null)}`,
  ];
}

/**
 * Per (project, run_id, key): count (every point), nan_count, min/max/mean over non-NaN values (NaN when there is
 * none; ±inf take part), first/last step, and the last value: the point with the highest step, then timestamp,
 * then log offset and position in its event ("logged later wins").
 * `where` goes inside, before FINAL's grouping, so a query for a few runs reads only their points (18.16 does
 * not push a predicate on a view into it).
 */
export function summarySelect(database: string, where: SqlFragment | null): SqlFragment {
  return sql`SELECT
  project,
  run_id,
  key,
  any(experiment_id) AS experiment_id,
  count() AS count,
  countIf(isNaN(value)) AS nan_count,
  if(count() = nan_count, nan, minIf(value, NOT isNaN(value))) AS min,
  if(count() = nan_count, nan, maxIf(value, NOT isNaN(value))) AS max,
  if(count() = nan_count, nan, avgIf(value, NOT isNaN(value))) AS mean,
  min(step) AS first_step,
  max(step) AS last_step,
  argMax(value, (step, timestamp, offset, point_index)) AS last_value,
  argMax(timestamp, (step, timestamp, offset, point_index)) AS last_timestamp
FROM ${qualified(database, TABLES.metricPoints)} FINAL
${where === null ? raw('') : sql`WHERE ${where}\n`}GROUP BY project, run_id, key`;
}
