import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ProjectionBatch, ProjectionSink } from '@trackstream/projection';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import { classifyFailure, rejectedError, retriableError } from './errors';
import { checkpointsQuery } from './queries';
import { checkpointRow, toRows } from './rows';
import { DEFAULT_DATABASE, TABLES, ddlStatements } from './schema';
import { qualified } from './sql';

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
  /** Rows per INSERT; a batch with more points is sent in several inserts. */
  maxRowsPerInsert?: number;
  requestTimeoutMs?: number;
  logger?: Logger;
  now?: () => number;
}

/**
 * The URL's path names the database, but the client must not send it as the session database: setup() creates
 * that database, and a request naming a missing one fails. Every statement names its tables in full instead.
 */
export function splitDatabase(url: string): { serverUrl: string; database: string | undefined } {
  const u = new URL(url);
  const path = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  u.pathname = '/';
  return { serverUrl: u.toString(), database: path === '' ? undefined : path };
}

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
    const server = opts.url === undefined ? undefined : splitDatabase(opts.url);
    this.database = opts.database ?? server?.database ?? DEFAULT_DATABASE;
    this.client =
      opts.client ??
      createClient({
        url: server!.serverUrl,
        request_timeout: opts.requestTimeoutMs ?? 30_000,
        // The client would print every failed request to the console; the sink reports each one as a
        // ProjectionError instead, and the runtime logs it through the injected logger.
        log: { level: ClickHouseLogLevel.OFF },
      });
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
      this.insert(TABLES.metricPoints, rows.points, rows.points.map((p) => p.offset)),
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
      points: rows.points.length,
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
        throw await this.explain(err, table, rows, offsets, start);
      }
    }
  }

  private async send(table: string, values: readonly object[]): Promise<void> {
    await this.client.insert({ table: qualified(this.database, table).text, values: values as object[], format: 'JSONEachRow' });
  }

  /**
   * Turns an insert failure into a ProjectionError. A rejected row names a record only after that record's rows
   * alone are refused too: blaming the wrong record would send good data to the DLQ.
   */
  private async explain(err: unknown, table: string, rows: readonly object[], offsets: readonly string[] | null, chunkStart: number) {
    const failure = classifyFailure(err);
    // Rows of no record (the checkpoint) cannot be poison: whatever refused them is the server's or schema's state.
    if (failure.kind !== 'data' || offsets === null) return retriableError(err, `insert into ${table}`);
    const message = err instanceof Error ? err.message : String(err);
    const suspect = failure.row === null ? undefined : offsets[chunkStart + failure.row - 1];
    if (suspect === undefined) return rejectedError(message, undefined, err);
    const own = rows.filter((_, i) => offsets[i] === suspect);
    try {
      await this.send(table, own);
    } catch (again) {
      if (classifyFailure(again).kind === 'data') return rejectedError(message, suspect, err);
      return retriableError(again, `insert into ${table}`);
    }
    this.log.warn('rejected row not reproducible alone; leaving the search to the runtime', { table, offset: suspect });
    return rejectedError(message, undefined, err);
  }
}
