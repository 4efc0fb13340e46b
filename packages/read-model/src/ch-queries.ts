import { TABLES, join, qualified, sql, type SqlFragment } from '@trackstream/clickhouse';

/**
 * Every ClickHouse statement the read model sends, as functions of their inputs, so ch-compat.int.test.ts can run
 * each on 18.16 and on a current engine. Only the subset both accept: FINAL, intDiv, argMax over tuples, -If
 * combinators; aliases never reuse a column's name (18.16 reports cyclic aliases, current releases would resolve
 * the column to the alias).
 */

// Tables of the ClickHouse projection come from the adapter (TABLES); read with FINAL so a redelivered batch counts once.
const METRIC_POINTS = TABLES.metricPoints;
const POINT_ORDER = sql`(step, timestamp, offset, point_index)`;

export interface MetricRef {
  project: string;
  runId: string;
  key: string;
}

/** Steps from..to, both inclusive; null = open on that side. A chart's zoom asks for one range at full resolution. */
export interface StepRange {
  from: bigint | null;
  to: bigint | null;
}

export const WHOLE_SERIES: StepRange = Object.freeze({ from: null, to: null });

function metricWhere(m: MetricRef, range: StepRange): SqlFragment {
  const from = range.from === null ? sql`` : sql` AND step >= ${range.from}`;
  const to = range.to === null ? sql`` : sql` AND step <= ${range.to}`;
  return sql`project = ${m.project} AND run_id = ${m.runId} AND key = ${m.key}${from}${to}`;
}

export function historyStatsQuery(database: string, m: MetricRef, range: StepRange = WHOLE_SERIES): SqlFragment {
  return sql`SELECT count() AS n, toString(min(step)) AS lo, toString(max(step)) AS hi FROM ${qualified(database, METRIC_POINTS)} FINAL WHERE ${metricWhere(m, range)}`;
}

export function historyPointsQuery(database: string, m: MetricRef, range: StepRange = WHOLE_SERIES): SqlFragment {
  return sql`SELECT toString(step) AS step_text, toString(value) AS value_text, toString(timestamp) AS timestamp_text
FROM ${qualified(database, METRIC_POINTS)} FINAL WHERE ${metricWhere(m, range)}
ORDER BY step, timestamp, offset, point_index`;
}

/** One page of the points as logged, in history order: `limit` points after the first `offset`. */
export function historyPageQuery(database: string, m: MetricRef, offset: number, limit: number): SqlFragment {
  return sql`${historyPointsQuery(database, m)}
LIMIT ${offset}, ${limit}`;
}

/** Buckets of `width` steps from `lo`: each gives its last point and the min/max of its non-NaN values. */
export function historyBucketsQuery(database: string, m: MetricRef, lo: bigint, width: bigint, range: StepRange = WHOLE_SERIES): SqlFragment {
  return sql`SELECT
  intDiv(step - ${lo}, ${width}) AS bucket,
  toString(argMax(step, ${POINT_ORDER})) AS step_text,
  toString(argMax(value, ${POINT_ORDER})) AS value_text,
  toString(argMax(timestamp, ${POINT_ORDER})) AS timestamp_text,
  count() AS n,
  countIf(isNaN(value)) AS nan_count,
  toString(if(n = nan_count, nan, minIf(value, NOT isNaN(value)))) AS min_text,
  toString(if(n = nan_count, nan, maxIf(value, NOT isNaN(value)))) AS max_text
FROM ${qualified(database, METRIC_POINTS)} FINAL WHERE ${metricWhere(m, range)}
GROUP BY bucket
ORDER BY bucket`;
}

/** Per run and key: count, min/max/mean over non-NaN values (NaN when all are NaN), last value by step. */
export function metricStatsQuery(database: string, projects: readonly string[], runIds: readonly string[], keys: readonly string[] | null): SqlFragment {
  const keyFilter = keys === null ? sql`1` : keys.length === 0 ? sql`0` : sql`key IN (${join(keys)})`;
  const runFilter = runIds.length === 0 || projects.length === 0 ? sql`0` : sql`project IN (${join(projects)}) AND run_id IN (${join(runIds)})`;
  return sql`SELECT run_id, key,
  count() AS n,
  countIf(isNaN(value)) AS nan_count,
  toString(if(n = nan_count, nan, minIf(value, NOT isNaN(value)))) AS min_text,
  toString(if(n = nan_count, nan, maxIf(value, NOT isNaN(value)))) AS max_text,
  toString(if(n = nan_count, nan, avgIf(value, NOT isNaN(value)))) AS mean_text,
  toString(argMax(value, ${POINT_ORDER})) AS last_text,
  toString(argMax(step, ${POINT_ORDER})) AS last_step_text
FROM ${qualified(database, METRIC_POINTS)} FINAL
WHERE ${runFilter} AND ${keyFilter}
GROUP BY run_id, key
ORDER BY run_id, key`;
}

/** partition → max(next_offset), the adapter's own statement (a checkpoint never moves back, so the highest is current). */
export { checkpointsQuery } from '@trackstream/clickhouse';

const EVENTS = TABLES.events;

/** Whose events an audit timeline lists: one run's, or an experiment's own (experiment-level, no run). */
export type AuditSubject = { runId: string } | { experimentId: string };

/**
 * The subject's events in log order (a run's or an experiment's own events share its key, so one partition),
 * after log offset `afterOffset`, `limit` of them.
 */
export function subjectEventsQuery(database: string, project: string, subject: AuditSubject, afterOffset: bigint | null, limit: number): SqlFragment {
  const after = afterOffset === null ? sql`` : sql` AND offset > ${afterOffset}`;
  const who = 'runId' in subject ? sql`run_id = ${subject.runId}` : sql`experiment_id = ${subject.experimentId} AND isNull(run_id)`;
  return sql`SELECT event_id, type, experiment_id, run_id, toString(occurred_at) AS occurred_text, toString(received_at) AS received_text, principal, payload,
  partition, toString(offset) AS offset_text
FROM ${qualified(database, EVENTS)} FINAL
WHERE project = ${project} AND ${who}${after}
ORDER BY partition, offset
LIMIT ${limit}`;
}

/** The params events of a run up to and including `upToOffset`: what a later page needs to tell a param conflict. */
export function runParamEventsQuery(database: string, project: string, runId: string, upToOffset: bigint): SqlFragment {
  return sql`SELECT payload, toString(offset) AS offset_text
FROM ${qualified(database, EVENTS)} FINAL
WHERE project = ${project} AND run_id = ${runId} AND type = 'params_logged' AND offset <= ${upToOffset}
ORDER BY partition, offset`;
}
