import { TrackstreamError } from '@trackstream/errors';
import type { StoredEvent } from '@trackstream/events';

/** One Kafka record after decoding. */
export interface DecodedRecord {
  /** Kafka offset, decimal. */
  offset: string;
  event: StoredEvent;
}

/** Consecutive records of one partition, in log order. */
export interface ProjectionBatch {
  topic: string;
  partition: number;
  records: DecodedRecord[];
  /**
   * Last offset + 1: the checkpoint to record once the batch is applied. Records the runtime sent to the DLQ
   * are absent from `records` but still covered by `nextOffset`, so a batch may be empty and only move the checkpoint.
   */
  nextOffset: string;
}

/**
 * A projection store ("sink"). One adapter per technology; the contract suite (`describeProjectionSinkContract`)
 * runs against each.
 */
export interface ProjectionSink {
  readonly name: 'postgres' | 'clickhouse';
  /** Idempotent DDL. */
  setup(): Promise<void>;
  /** partition → next offset to read, as recorded by apply(). */
  loadCheckpoints(topic: string): Promise<Map<number, string>>;
  /**
   * Applies the batch and records nextOffset as the partition's checkpoint. Postgres: one transaction.
   * ClickHouse: data first, checkpoint after the data is acknowledged; reapplying any batch changes no query result.
   * A checkpoint never moves backwards.
   */
  apply(batch: ProjectionBatch): Promise<void>;
  close(): Promise<void>;
}

/**
 * What apply() throws. `retriable: true` → the runtime pauses the partition and retries with backoff (nothing skipped).
 * `retriable: false` with `offset` → that record is poison: the runtime sends it to the DLQ (reason in headers) and
 * re-applies the batch without it. `retriable: false` without `offset` → the runtime applies the records one at a
 * time to find the poison one.
 */
export class ProjectionError extends TrackstreamError {
  readonly code: string;
  readonly retriable: boolean;
  readonly offset?: string;

  constructor(code: string, message: string, opts: { retriable: boolean; offset?: string; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProjectionError';
    this.code = code;
    this.retriable = opts.retriable;
    if (opts.offset !== undefined) this.offset = opts.offset;
  }
}
