import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient, splitDatabase } from './client';
import { ProjectionError, type ProjectionBatch, type ProjectionSink } from '@trackstream/projection-core';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import { classifyFailure, rejectedError, retriableError } from './errors';
import { checkpointsQuery } from './queries';
import { METRIC_POINT_INSERT_COLUMNS, encodeMetricPoints } from './row-binary';
import { checkpointRow, toRows, type MetricPointGroup } from './rows';
import { DEFAULT_DATABASE, METRIC_POINT_COLUMNS, TABLES, ddlStatements } from './schema';
import { identifier, qualified, sql } from './sql';

export interface ClickHouseSinkOptions {
  /**
   * ClickHouse HTTP URL (credentials may be in it), e.g. TRACKSTREAM_CLICKHOUSE_URL
   * `http://127.0.0.1:8123/trackstream`: a path names the database. Ignored when `client` is given.
   */
  url?: string;
  /** A client the caller owns (close() leaves it open). */
  client?: ClickHouseClient;
  /** Overrides the URL's database; default `trackstream`. */
  database?: string;
  /** Rows per INSERT; a batch with more points is sent in several inserts (whole events each, so one at least). */
  maxRowsPerInsert?: number;
  requestTimeoutMs?: number;
  logger?: Logger;
  now?: () => number;
}

// Re-exported for the sink's callers that split a URL themselves (tests): the rule lives in client.ts.
export { splitDatabase } from './client';

/**
 * ProjectionSink over ClickHouse. apply() inserts the batch's rows, then — only once the server acknowledged
 * them — the checkpoint. A crash in between re-delivers the batch; its rows are identical to the ones already
 * stored and the ReplacingMergeTree tables (read with FINAL) hold each once, so no query result changes.
 */
export class ClickHouseSink implements ProjectionSink {
  readonly name = 'clickhouse' as const;
  readonly database: string;
  private readonly client: ClickHouseClient;
  private readonly ownsClient: boolean;
  private readonly maxRows: number;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(opts: ClickHouseSinkOptions) {
    if (!opts.client && !opts.url) throw new Error('ClickHouseSink needs a url or a client');
    const made = opts.client === undefined ? createClickHouseClient({ url: opts.url!, ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: opts.requestTimeoutMs }) }) : undefined;
    this.database = opts.database ?? (opts.url === undefined ? undefined : splitDatabase(opts.url).database) ?? DEFAULT_DATABASE;
    this.client = opts.client ?? made!.client;
    this.ownsClient = !opts.client;
    this.maxRows = opts.maxRowsPerInsert ?? 200_000;
    this.log = (opts.logger ?? noopLogger).child({ sink: 'clickhouse', database: this.database });
    this.now = opts.now ?? Date.now;
  }

  async setup(): Promise<void> {
    for (const statement of ddlStatements(this.database)) {
      try {
        await this.client.command({ query: statement.text });
      } catch (err) {
        throw retriableError(err, 'setup');
      }
    }
    await this.checkPointColumns();
  }

  /**
   * RowBinary has no column names or types in it: a metric_points table made by someone else (an older or
   * hand-edited schema) would not refuse the bytes but read them as other values. So the sink looks once, here,
   * and refuses to start against a table whose insert columns are not the ones it writes.
   */
  private async checkPointColumns(): Promise<void> {
    let actual: { name: string; type: string }[];
    try {
      const rs = await this.client.query({
        query: sql`SELECT name, type FROM system.columns WHERE database = ${this.database} AND table = ${TABLES.metricPoints}`.text,
        format: 'JSONEachRow',
      });
      actual = await rs.json();
    } catch (err) {
      throw retriableError(err, 'reading the metric_points columns');
    }
    const types = new Map(actual.map((c) => [c.name, c.type]));
    const expected = METRIC_POINT_COLUMNS as Record<string, string>;
    const problems = METRIC_POINT_INSERT_COLUMNS.flatMap((name) => {
      const type = types.get(name);
      if (type === undefined) return [`column ${name} is missing (the sink writes ${expected[name]})`];
      return type === expected[name] ? [] : [`column ${name} is ${type}, the sink writes ${expected[name]}`];
    });
    if (problems.length > 0) {
      throw new ProjectionError(
        'CLICKHOUSE_SCHEMA_MISMATCH',
        `ClickHouse table ${qualified(this.database, TABLES.metricPoints).text} does not have the columns this projector writes: ${problems.join('; ')}`,
        { retriable: false },
      );
    }
  }

  async loadCheckpoints(topic: string): Promise<Map<number, string>> {
    let rows: { partition: number | string; next_offset: string }[];
    try {
      const rs = await this.client.query({ query: checkpointsQuery(this.database, topic).text, format: 'JSONEachRow' });
      rows = await rs.json();
    } catch (err) {
      throw retriableError(err, 'loading checkpoints');
    }
    return new Map(rows.map((r) => [Number(r.partition), r.next_offset]));
  }

  async apply(batch: ProjectionBatch): Promise<void> {
    const rows = toRows(batch.records, batch.partition);
    const poison = rows.rejected[0];
    if (poison) throw rejectedError(poison.reason, poison.offset);

    // The two inserts are independent; running them side by side lets the server parse one while the client
    // serialises the other. allSettled: the checkpoint must wait for both, even when one fails.
    const outcomes = await Promise.allSettled([
      this.insertPoints(rows.pointGroups),
      this.insert(TABLES.events, rows.events, rows.events.map((e) => e.offset)),
    ]);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    // Only now is the data acknowledged: the checkpoint may move.
    await this.insert(TABLES.checkpoints, [checkpointRow(batch.topic, batch.partition, batch.nextOffset, this.now())], null);
    this.log.debug('batch applied', {
      topic: batch.topic,
      partition: batch.partition,
      records: batch.records.length,
      points: rows.pointCount,
      next_offset: batch.nextOffset,
    });
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  /**
   * Inserts rows in chunks; `offsets[i]` names the record row i came from (null: rows of no record), which maps a
   * server error at row N to its record.
   */
  private async insert<Row extends object>(table: string, rows: readonly Row[], offsets: readonly string[] | null): Promise<void> {
    for (let start = 0; start < rows.length; start += this.maxRows) {
      const chunk = rows.slice(start, start + this.maxRows);
      try {
        await this.send(table, chunk);
      } catch (err) {
        const offsetOfRow = (row: number) => offsets?.[start + row - 1];
        throw await this.explain(err, table, offsets === null ? null : offsetOfRow, (offset) =>
          this.send(table, rows.filter((_, i) => offsets![i] === offset)),
        );
      }
    }
  }

  private async send(table: string, values: readonly object[]): Promise<void> {
    await this.client.insert({ table: qualified(this.database, table).text, values: values as object[], format: 'JSONEachRow' });
  }

  /** The points, in inserts of whole events: a chunk ends before the event that would take it past maxRows. */
  private async insertPoints(groups: readonly MetricPointGroup[]): Promise<void> {
    let start = 0;
    while (start < groups.length) {
      let end = start + 1;
      let rows = groups[start]!.points.length;
      while (end < groups.length && rows + groups[end]!.points.length <= this.maxRows) rows += groups[end++]!.points.length;
      const chunk = groups.slice(start, end);
      try {
        await this.sendPoints(chunk);
      } catch (err) {
        throw await this.explain(err, TABLES.metricPoints, (row) => groupOfRow(chunk, row)?.offset, (offset) =>
          this.sendPoints(chunk.filter((g) => g.offset === offset)),
        );
      }
      start = end;
    }
  }

  private async sendPoints(groups: readonly MetricPointGroup[]): Promise<void> {
    const columns = METRIC_POINT_INSERT_COLUMNS.map((c) => identifier(c).text).join(', ');
    const result = await this.client.exec({
      query: `INSERT INTO ${qualified(this.database, TABLES.metricPoints).text} (${columns}) FORMAT RowBinary`,
      values: Readable.from([encodeMetricPoints(groups)], { objectMode: false }),
    });
    // The answer of an INSERT is empty, but the stream must be read to its end for the socket to be reused.
    for await (const _ of result.stream) void _;
  }

  /**
   * Turns an insert failure into a ProjectionError. A rejected row names a record only after that record's rows
   * alone are refused too: blaming the wrong record would send good data to the DLQ.
   * `offsetOfRow` maps the server's 1-based row of the failed insert to its record (null: rows of no record).
   */
  private async explain(
    err: unknown,
    table: string,
    offsetOfRow: ((row: number) => string | undefined) | null,
    resendRecord: (offset: string) => Promise<void>,
  ): Promise<ProjectionError> {
    const failure = classifyFailure(err);
    // Rows of no record (the checkpoint) cannot be poison: whatever refused them is the server's or schema's state.
    if (failure.kind !== 'data' || offsetOfRow === null) return retriableError(err, `insert into ${table}`);
    const message = err instanceof Error ? err.message : String(err);
    const suspect = failure.row === null ? undefined : offsetOfRow(failure.row);
    if (suspect === undefined) return rejectedError(message, undefined, err);
    try {
      await resendRecord(suspect);
    } catch (again) {
      if (classifyFailure(again).kind === 'data') return rejectedError(message, suspect, err);
      return retriableError(again, `insert into ${table}`);
    }
    this.log.warn('rejected row not reproducible alone; leaving the search to the runtime', { table, offset: suspect });
    return rejectedError(message, undefined, err);
  }
}

/** The group that holds the chunk's 1-based row `row`. */
export function groupOfRow(groups: readonly MetricPointGroup[], row: number): MetricPointGroup | undefined {
  let end = 0;
  for (const g of groups) {
    end += g.points.length;
    if (row <= end) return g;
  }
  return undefined;
}
