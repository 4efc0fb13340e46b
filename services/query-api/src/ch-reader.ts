import type { ClickHouseClient } from '@clickhouse/client';
import { join, qualified, sql, type SqlFragment } from '@trackstream/clickhouse-sql';
import { jsonNumber, parseClickHouseFloat, type JsonNumber } from './values';

export interface HistoryPoint {
  step: number;
  value: JsonNumber;
  timestamp: number;
  min: JsonNumber;
  max: JsonNumber;
}

export interface MetricStats {
  last: number;
  last_step: number;
  min: number;
  max: number;
  mean: number;
  count: number;
}

type Row = Record<string, unknown>;

// Tables of the ClickHouse projection (docs/clickhouse.md); read with FINAL so a redelivered batch counts once.
const METRIC_POINTS = 'metric_points';
const CHECKPOINTS = 'checkpoints';

/** Read-side access to the ClickHouse projection. Every value is inlined through @trackstream/clickhouse-sql. */
export class ClickHouseReader {
  constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
  ) {}

  private async rows(q: SqlFragment): Promise<Row[]> {
    const rs = await this.client.query({ query: q.text, format: 'JSONEachRow' });
    return rs.json<Row>();
  }

  /**
   * One metric of one run by step. Up to `maxPoints` points come back as logged; above that, steps are cut into
   * at most `maxPoints` equal buckets (intDiv, which 18.16 and 24.x both have) and each bucket gives its last
   * point plus the min and max of its values, so a one-step spike stays visible in a chart.
   */
  async metricHistory(project: string, runId: string, key: string, maxPoints: number): Promise<{ points: HistoryPoint[]; downsampled: boolean }> {
    const table = qualified(this.database, METRIC_POINTS);
    const where = sql`project = ${project} AND run_id = ${runId} AND key = ${key}`;
    const [stats] = await this.rows(sql`SELECT count() AS n, toString(min(step)) AS lo, toString(max(step)) AS hi FROM ${table} FINAL WHERE ${where}`);
    const n = Number(stats?.n ?? 0);
    if (n === 0) return { points: [], downsampled: false };
    if (n <= maxPoints) {
      const rows = await this.rows(sql`SELECT toString(step) AS step_text, toString(value) AS value_text, toString(timestamp) AS timestamp_text
FROM ${table} FINAL WHERE ${where}
ORDER BY step, timestamp, offset, point_index`);
      return {
        points: rows.map((r) => {
          const v = jsonNumber(parseClickHouseFloat(String(r.value_text)));
          return { step: Number(r.step_text), value: v, timestamp: Number(r.timestamp_text), min: v, max: v };
        }),
        downsampled: false,
      };
    }
    const lo = BigInt(String(stats!.lo));
    const hi = BigInt(String(stats!.hi));
    const span = hi - lo + 1n;
    const width = (span + BigInt(maxPoints) - 1n) / BigInt(maxPoints);
    const order = sql`(step, timestamp, offset, point_index)`;
    const rows = await this.rows(sql`SELECT
  intDiv(step - ${lo}, ${width}) AS bucket,
  toString(argMax(step, ${order})) AS step_text,
  toString(argMax(value, ${order})) AS value_text,
  toString(argMax(timestamp, ${order})) AS timestamp_text,
  count() AS n,
  countIf(isNaN(value)) AS nan_count,
  toString(if(n = nan_count, nan, minIf(value, NOT isNaN(value)))) AS min_text,
  toString(if(n = nan_count, nan, maxIf(value, NOT isNaN(value)))) AS max_text
FROM ${table} FINAL WHERE ${where}
GROUP BY bucket
ORDER BY bucket`);
    return {
      points: rows.map((r) => ({
        step: Number(r.step_text),
        value: jsonNumber(parseClickHouseFloat(String(r.value_text))),
        timestamp: Number(r.timestamp_text),
        min: jsonNumber(parseClickHouseFloat(String(r.min_text))),
        max: jsonNumber(parseClickHouseFloat(String(r.max_text))),
      })),
      downsampled: true,
    };
  }

  /** run_id → key → summary, aggregated only over the asked runs (the filter sits inside, before grouping). */
  async metricStats(projects: readonly string[], runIds: readonly string[], keys: readonly string[] | null): Promise<Map<string, Map<string, MetricStats>>> {
    const out = new Map<string, Map<string, MetricStats>>();
    if (runIds.length === 0 || (keys !== null && keys.length === 0)) return out;
    const keyFilter = keys === null ? sql`1` : sql`key IN (${join(keys)})`;
    const order = sql`(step, timestamp, offset, point_index)`;
    const rows = await this.rows(sql`SELECT run_id, key,
  count() AS n,
  countIf(isNaN(value)) AS nan_count,
  toString(if(n = nan_count, nan, minIf(value, NOT isNaN(value)))) AS min_text,
  toString(if(n = nan_count, nan, maxIf(value, NOT isNaN(value)))) AS max_text,
  toString(if(n = nan_count, nan, avgIf(value, NOT isNaN(value)))) AS mean_text,
  toString(argMax(value, ${order})) AS last_text,
  toString(argMax(step, ${order})) AS last_step_text
FROM ${qualified(this.database, METRIC_POINTS)} FINAL
WHERE project IN (${join(projects)}) AND run_id IN (${join(runIds)}) AND ${keyFilter}
GROUP BY run_id, key`);
    for (const r of rows) {
      const run = String(r.run_id);
      if (!out.has(run)) out.set(run, new Map());
      out.get(run)!.set(String(r.key), {
        last: parseClickHouseFloat(String(r.last_text)),
        last_step: Number(r.last_step_text),
        min: parseClickHouseFloat(String(r.min_text)),
        max: parseClickHouseFloat(String(r.max_text)),
        mean: parseClickHouseFloat(String(r.mean_text)),
        count: Number(r.n),
      });
    }
    return out;
  }

  /** partition → next offset of the ClickHouse projector; a checkpoint never moves back, so the max is current. */
  async checkpoints(topic: string): Promise<Map<number, bigint>> {
    const rows = await this.rows(sql`SELECT partition, toString(max(next_offset)) AS next_offset_text
FROM ${qualified(this.database, CHECKPOINTS)}
WHERE topic = ${topic}
GROUP BY partition`);
    return new Map(rows.map((r) => [Number(r.partition), BigInt(String(r.next_offset_text))]));
  }
}
