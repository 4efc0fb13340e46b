import { TABLES, summarySelect } from './schema';
import { join, qualified, sql, type SqlFragment } from './sql';

/**
 * Every query the package sends, as functions of their inputs. ddl-compat.int.test.ts runs each through
 * ClickHouse 18.16 and a current engine, so none may use syntax only one of them knows.
 */

/** partition → max(next_offset) for a topic: checkpoints only move forward, so the highest is the current one. */
export function checkpointsQuery(database: string, topic: string): SqlFragment {
  return sql`SELECT partition, toString(max(next_offset)) AS next_offset
FROM ${qualified(database, TABLES.checkpoints)}
WHERE topic = ${topic}
GROUP BY partition
ORDER BY partition`;
}

/** Per-run metric summaries of some runs (optionally some keys), filtered before aggregation. */
export function runMetricSummariesQuery(database: string, filter: { project: string; runIds: readonly string[]; keys?: readonly string[] }): SqlFragment {
  const runs = filter.runIds.length === 0 ? sql`0` : sql`run_id IN (${join(filter.runIds)})`;
  const keys = filter.keys === undefined ? sql`1` : filter.keys.length === 0 ? sql`0` : sql`key IN (${join(filter.keys)})`;
  return sql`${summarySelect(database, sql`project = ${filter.project} AND ${runs} AND ${keys}`)}
ORDER BY run_id, key`;
}

/**
 * The examples docs/clickhouse.md shows analysts (database `trackstream`), kept here so tests run them on both
 * engines and check the document still contains them verbatim.
 */
export function analystExamples(database: string): Record<'lossCurve' | 'bestRunsByFinalValMetric' | 'eventsPerTypePerDay' | 'runSummaries' | 'runOutcomes', SqlFragment> {
  const points = qualified(database, TABLES.metricPoints);
  const events = qualified(database, TABLES.events);
  const summaries = qualified(database, TABLES.runMetricSummaries);
  return {
    lossCurve: sql`SELECT step, value, timestamp
FROM ${points} FINAL
WHERE project = 'vision' AND run_id = 'run-42' AND key = 'loss'
ORDER BY step, timestamp`,
    bestRunsByFinalValMetric: sql`SELECT run_id, last_step, last_value AS final_val_acc
FROM ${summaries}
WHERE project = 'vision' AND experiment_id = 'exp-7' AND key = 'val_acc' AND NOT isNaN(last_value)
ORDER BY final_val_acc DESC
LIMIT 10`,
    eventsPerTypePerDay: sql`SELECT toDate(toDateTime(intDiv(occurred_at, 1000), 'UTC')) AS day, type, count() AS events
FROM ${events} FINAL
WHERE project = 'vision'
GROUP BY day, type
ORDER BY day, type`,
    runSummaries: sql`SELECT run_id, key, count, min, max, mean, last_step, last_value
FROM ${summaries}
WHERE project = 'vision' AND run_id IN ('run-42', 'run-43')
ORDER BY run_id, key`,
    runOutcomes: sql`SELECT run_id, visitParamExtractString(payload, 'status') AS status, visitParamExtractInt(payload, 'end_time') AS end_time
FROM ${events} FINAL
WHERE project = 'vision' AND type = 'run_completed'
ORDER BY run_id`,
  };
}
