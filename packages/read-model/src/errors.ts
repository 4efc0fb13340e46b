import { classifyFailure } from '@trackstream/clickhouse';
import { TrackstreamError } from '@trackstream/errors';

/** A projection store could not be reached (connection refused or reset, timed out, shutting down): retry later. */
export class StoreUnavailableError extends TrackstreamError {
  readonly code = 'STORE_UNAVAILABLE';
  readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

// Postgres: admin/crash shutdown or cannot connect now (SQLSTATE 57P01–57P03), connection exceptions (class 08).
const PG_UNAVAILABLE = /^(57P0[123]|08\w{3})$/;
const NETWORK = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT)$/;

/** A store failure as the read model reports it: unavailable stores become StoreUnavailableError, the rest passes. */
export function toReadError(err: unknown): unknown {
  if (err instanceof TrackstreamError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const unavailable = (typeof code === 'string' && (NETWORK.test(code) || PG_UNAVAILABLE.test(code))) || classifyFailure(err).kind === 'unavailable';
  return unavailable ? new StoreUnavailableError(`a projection store is unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err }) : err;
}
