import type { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from './schema';
import { qualified, sql } from './sql';

/**
 * Everything the ClickHouse projection answers, canonically ordered, for tests that compare two projections
 * (a crashed-and-restarted run against an uninterrupted one, one batch against many). Log coordinates
 * (partition, offset) and checkpoints are left out: a producer retry shifts offsets without changing the answer.
 * Numbers are compared as text: 18.16 quotes 64-bit integers in JSON and current releases do not, and
 * toString(value) spells NaN and ±inf, which JSON output would print as null.
 */
export interface ClickHouseProjectionSnapshot {
  events: Record<string, unknown>[];
  points: Record<string, unknown>[];
  summaries: Record<string, unknown>[];
}

export async function readProjection(client: ClickHouseClient, database: string): Promise<ClickHouseProjectionSnapshot> {
  const rows = async (query: string) => {
    const rs = await client.query({ query, format: 'JSONEachRow' });
    return (await rs.json<Record<string, unknown>>()).map(asText);
  };
  return {
    events: await rows(
      sql`SELECT event_id, type, project, experiment_id, run_id, occurred_at, received_at, principal, payload
FROM ${qualified(database, TABLES.events)} FINAL
ORDER BY event_id`.text,
    ),
    points: await rows(
      sql`SELECT project, experiment_id, run_id, key, step, timestamp, toString(value) AS value, event_id, point_index
FROM ${qualified(database, TABLES.metricPoints)} FINAL
ORDER BY project, run_id, key, step, event_id, point_index`.text,
    ),
    summaries: await rows(
      sql`SELECT project, run_id, key, experiment_id, count, nan_count, toString(min) AS min, toString(max) AS max,
  toString(mean) AS mean, first_step, last_step, toString(last_value) AS last_value, last_timestamp
FROM ${qualified(database, TABLES.runMetricSummaries)}
ORDER BY project, run_id, key`.text,
    ),
  };
}

function asText(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)]));
}
