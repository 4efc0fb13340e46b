import { ProjectionError } from '@trackstream/projection-core';

/**
 * SQLSTATE classes that mean "this data can never be written" (the record is poison): data exceptions (22, e.g. a
 * NUL byte in text), integrity violations (23) and program limits (54). Everything else, including connection
 * failures, shutdowns, deadlocks and errors without a SQLSTATE, is retried: a stalled partition is visible in
 * the lag metric, a skipped record is not.
 */
const POISON_CLASSES = ['22', '23', '54'];

export function toProjectionError(err: unknown, singleRecordOffset?: string): ProjectionError {
  if (err instanceof ProjectionError) return err;
  const sqlstate = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof sqlstate === 'string' && /^[0-9A-Z]{5}$/.test(sqlstate) && POISON_CLASSES.includes(sqlstate.slice(0, 2))) {
    // Which record of a bulk statement failed is unknown unless the batch holds one: the runtime then isolates it.
    const opts = singleRecordOffset === undefined ? { retriable: false, cause: err } : { retriable: false, offset: singleRecordOffset, cause: err };
    return new ProjectionError(`PG_${sqlstate}`, `postgres rejected the data: ${message}`, opts);
  }
  const code = typeof sqlstate === 'string' && sqlstate.length > 0 ? `PG_${sqlstate}` : 'PG_UNAVAILABLE';
  return new ProjectionError(code, `postgres projection failed (will retry): ${message}`, { retriable: true, cause: err });
}
