import { Pool, type PoolClient } from 'pg';
import { inTransaction } from './transaction';
import type { DecodedRecord, ProjectionBatch, ProjectionSink } from '@trackstream/projection-core';
import { DEFAULT_PG_SCHEMA } from '@trackstream/config';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import { toProjectionError } from './errors';
import { project } from './model';
import { ddl, PG_TABLES, quoteSchema } from './schema';
import { writeState } from './write';

export interface PostgresSinkOptions {
  /** postgres://… of database `trackstream`. */
  connectionString: string;
  /** Schema holding the projection tables (default `public`). */
  schema?: string;
  poolSize?: number;
  logger?: Logger;
}

/**
 * The Postgres projection: rows and checkpoint in one transaction. Inside it the partition's checkpoint row is
 * locked first, so records below the stored checkpoint (a redelivery, or a batch another group member already
 * applied during a rebalance) are dropped, and events whose event_id was applied before (a producer retry at
 * another offset) are dropped too.
 */
export class PostgresSink implements ProjectionSink {
  readonly name = 'postgres' as const;
  readonly schema: string;
  private readonly s: string;
  private readonly pool: Pool;
  private readonly log: Logger;

  constructor(opts: PostgresSinkOptions) {
    this.schema = opts.schema ?? DEFAULT_PG_SCHEMA;
    this.s = quoteSchema(this.schema);
    this.log = (opts.logger ?? noopLogger).child({ component: 'postgres-sink', schema: this.schema });
    this.pool = new Pool({ connectionString: opts.connectionString, max: opts.poolSize ?? 4, connectionTimeoutMillis: 5_000 });
    // An idle client losing its server (Postgres restarted) must not crash the process; the next query retries.
    this.pool.on('error', (err) => this.log.warn('idle postgres connection failed', { err: err.message }));
  }

  async setup(): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      // Concurrent CREATE … IF NOT EXISTS can still collide in the catalog; serialise projectors starting together.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`trackstream-projection-ddl:${this.schema}`]);
      for (const statement of ddl(this.s)) await c.query(statement);
    });
  }

  async loadCheckpoints(topic: string): Promise<Map<number, string>> {
    try {
      const { rows } = await this.pool.query<{ partition: number; next_offset: string }>(
        `SELECT partition, next_offset FROM ${this.s}.${PG_TABLES.checkpoints} WHERE topic = $1`,
        [topic],
      );
      return new Map(rows.map((r) => [r.partition, String(r.next_offset)]));
    } catch (err) {
      throw toProjectionError(err);
    }
  }

  async apply(batch: ProjectionBatch): Promise<void> {
    let fresh: DecodedRecord[] = [];
    try {
      await inTransaction(this.pool, async (c) => {
        const { rows } = await c.query<{ next_offset: string }>(
          `INSERT INTO ${this.s}.${PG_TABLES.checkpoints} AS cp (topic, partition, next_offset) VALUES ($1, $2, 0)
           ON CONFLICT (topic, partition) DO UPDATE SET next_offset = cp.next_offset
           RETURNING next_offset`,
          [batch.topic, batch.partition],
        );
        const stored = BigInt(rows[0]!.next_offset);
        const pending = batch.records.filter((r) => BigInt(r.offset) >= stored);
        fresh = await this.firstTimeEvents(c, pending);
        if (fresh.length > 0) await writeState(c, this.s, project(fresh.map((r) => r.event)));
        await c.query(
          `UPDATE ${this.s}.${PG_TABLES.checkpoints} SET next_offset = GREATEST(next_offset, $3::bigint), updated_at = now()
           WHERE topic = $1 AND partition = $2`,
          [batch.topic, batch.partition, batch.nextOffset],
        );
      });
    } catch (err) {
      throw toProjectionError(err, fresh.length === 1 ? fresh[0]!.offset : batch.records.length === 1 ? batch.records[0]!.offset : undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Records their events' ids as applied and returns the records seen for the first time (first occurrence only). */
  private async firstTimeEvents(c: PoolClient, records: DecodedRecord[]): Promise<DecodedRecord[]> {
    if (records.length === 0) return [];
    const { rows } = await c.query<{ event_id: string }>(
      `INSERT INTO ${this.s}.${PG_TABLES.appliedEvents} (event_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id`,
      [records.map((r) => r.event.event_id)],
    );
    const inserted = new Set(rows.map((r) => r.event_id.toLowerCase()));
    const out: DecodedRecord[] = [];
    for (const r of records) {
      const id = r.event.event_id.toLowerCase();
      if (inserted.delete(id)) out.push(r);
    }
    return out;
  }
}
