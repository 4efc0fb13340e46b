import type { ClickHouseClient } from '@clickhouse/client';
import type { SqlFragment } from '@trackstream/clickhouse';
import { CONFLICT_PREFIX, describeEvent, parseEvent, type ParamHistory } from '@trackstream/events';
import { WHOLE_SERIES, checkpointsQuery, historyBucketsQuery, historyPageQuery, historyPointsQuery, historyStatsQuery, metricStatsQuery, runParamEventsQuery, subjectEventsQuery, type AuditSubject, type StepRange } from './ch-queries';
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

/** One entry of a run's audit timeline: who sent what, when (producer clock and gateway clock), where in the log. */
export interface AuditEntry {
  event_id: string;
  type: string;
  occurred_at: number;
  received_at: number;
  principal: string;
  partition: number;
  offset: string;
  /** What it changed, as readable lines (the rule of @trackstream/events' describeEvent, as `trackstream audit`). */
  changes: string[];
  /** A param logged again with another value (the first value stays). */
  conflict: boolean;
}

type Row = Record<string, unknown>;

/** Read-side access to the ClickHouse projection. Every value is inlined through @trackstream/clickhouse's escaping helpers. */
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
   * at most `maxPoints` equal buckets and each bucket gives its last point plus the min and max of its values, so
   * a one-step spike stays visible in a chart. `range` limits it to a span of steps (a zoomed chart): the buckets
   * are cut over that span only, so a narrower range comes back finer, down to every point.
   */
  async metricHistory(project: string, runId: string, key: string, maxPoints: number, range: StepRange = WHOLE_SERIES): Promise<{ points: HistoryPoint[]; downsampled: boolean }> {
    const m = { project, runId, key };
    const [stats] = await this.rows(historyStatsQuery(this.database, m, range));
    const n = Number(stats?.n ?? 0);
    if (n === 0) return { points: [], downsampled: false };
    if (n <= maxPoints) {
      const rows = await this.rows(historyPointsQuery(this.database, m, range));
      return {
        points: rows.map((r) => {
          const v = jsonNumber(parseClickHouseFloat(String(r.value_text)));
          return { step: Number(r.step_text), value: v, timestamp: Number(r.timestamp_text), min: v, max: v };
        }),
        downsampled: false,
      };
    }
    const lo = BigInt(String(stats!.lo));
    const span = BigInt(String(stats!.hi)) - lo + 1n;
    const width = (span + BigInt(maxPoints) - 1n) / BigInt(maxPoints);
    const rows = await this.rows(historyBucketsQuery(this.database, m, lo, width, range));
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

  /** Points exactly as logged, `limit` after the first `offset` (MLflow's paged get-history); `more` when others follow. */
  async metricHistoryPage(project: string, runId: string, key: string, offset: number, limit: number): Promise<{ points: HistoryPoint[]; more: boolean }> {
    const rows = await this.rows(historyPageQuery(this.database, { project, runId, key }, offset, limit + 1));
    const points = rows.slice(0, limit).map((r) => {
      const v = jsonNumber(parseClickHouseFloat(String(r.value_text)));
      return { step: Number(r.step_text), value: v, timestamp: Number(r.timestamp_text), min: v, max: v };
    });
    return { points, more: rows.length > limit };
  }

  /** run_id → key → summary, aggregated only over the asked runs (the filter sits inside, before grouping). */
  async metricStats(projects: readonly string[], runIds: readonly string[], keys: readonly string[] | null): Promise<Map<string, Map<string, MetricStats>>> {
    const out = new Map<string, Map<string, MetricStats>>();
    if (runIds.length === 0 || (keys !== null && keys.length === 0)) return out;
    for (const r of await this.rows(metricStatsQuery(this.database, projects, runIds, keys))) {
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

  /**
   * A run's events, or an experiment's own, in log order from the ClickHouse `events` table (each event id once),
   * `limit` of them after log offset `afterOffset`. A run's param conflicts are told against every params event
   * before the page as well. Records the projectors refused (the DLQ) and redeliveries are only in the log:
   * `trackstream audit` shows them.
   */
  async auditEvents(project: string, subject: AuditSubject, afterOffset: bigint | null, limit: number): Promise<AuditEntry[]> {
    const params: ParamHistory = new Map();
    if (afterOffset !== null && 'runId' in subject) {
      for (const r of await this.rows(runParamEventsQuery(this.database, project, subject.runId, afterOffset))) {
        describeEvent({ type: 'params_logged', payload: JSON.parse(String(r.payload)) }, params, String(r.offset_text));
      }
    }
    return (await this.rows(subjectEventsQuery(this.database, project, subject, afterOffset, limit))).map((r) => {
      const offset = String(r.offset_text);
      const occurred = Number(r.occurred_text);
      const parsed = parseEvent({
        event_id: r.event_id, type: r.type, project, experiment_id: r.experiment_id, run_id: r.run_id ?? null, occurred_at: occurred, payload: JSON.parse(String(r.payload)),
      });
      const changes = parsed.ok ? describeEvent(parsed.event, params, offset) : [`${String(r.type)}: payload not readable by this version (${parsed.problems[0]?.message ?? 'invalid'})`];
      return {
        event_id: String(r.event_id), type: String(r.type), occurred_at: occurred, received_at: Number(r.received_text), principal: String(r.principal),
        partition: Number(r.partition), offset, changes, conflict: changes.some((c) => c.startsWith(CONFLICT_PREFIX)),
      };
    });
  }

  /** True when the server answers a ping. */
  async ping(): Promise<boolean> {
    return (await this.client.ping()).success;
  }

  /** partition → next offset of the ClickHouse projector. */
  async checkpoints(topic: string): Promise<Map<number, bigint>> {
    const rows = await this.rows(checkpointsQuery(this.database, topic));
    return new Map(rows.map((r) => [Number(r.partition), BigInt(String(r.next_offset))]));
  }
}
