import { TrackstreamError } from '@trackstream/errors';
import { TokenDecodeError } from '@trackstream/events';
import { StoreUnavailableError } from '@trackstream/read-model';
import { SearchError } from '@trackstream/search';

/**
 * Every error the query API answers with. Clients key on `code`; the HTTP status is derived from it here and
 * nowhere else.
 */
export type QueryErrorCode =
  | 'BAD_REQUEST'
  | 'MALFORMED_JSON'
  | 'TOKEN_INVALID'
  | 'FILTER_INVALID'
  | 'ORDER_BY_INVALID'
  | 'PAGE_TOKEN_INVALID'
  | 'MAX_RESULTS_INVALID'
  | 'NOT_FOUND'
  | 'RUN_NOT_FOUND'
  | 'EXPERIMENT_NOT_FOUND'
  | 'EXPERIMENT_AMBIGUOUS'
  /** A lineage route's :kind is not a node kind (details.expected lists them). */
  | 'LINEAGE_KIND_INVALID'
  | 'LINEAGE_NODE_NOT_FOUND'
  | 'STORE_UNAVAILABLE'
  /** Too many live streams open (stream-routes.ts). */
  | 'STREAMS_EXHAUSTED'
  /** No usable API token (missing, malformed, unknown, revoked, expired): `details.reason` says which. */
  | 'UNAUTHENTICATED'
  /** The token's role may not read (e.g. a writer token). Another project's data is NOT_FOUND, never this. */
  | 'FORBIDDEN'
  /** Tokens cannot be checked right now (their store unreachable for too long): refused, fail closed. */
  | 'AUTH_UNAVAILABLE'
  | 'INTERNAL';

const STATUS: Record<QueryErrorCode, number> = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  TOKEN_INVALID: 400,
  FILTER_INVALID: 400,
  ORDER_BY_INVALID: 400,
  PAGE_TOKEN_INVALID: 400,
  MAX_RESULTS_INVALID: 400,
  NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  EXPERIMENT_NOT_FOUND: 404,
  EXPERIMENT_AMBIGUOUS: 409,
  LINEAGE_KIND_INVALID: 400,
  LINEAGE_NODE_NOT_FOUND: 404,
  STORE_UNAVAILABLE: 503,
  STREAMS_EXHAUSTED: 503,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  AUTH_UNAVAILABLE: 503,
  INTERNAL: 500,
};

const RETRIABLE: ReadonlySet<QueryErrorCode> = new Set(['STORE_UNAVAILABLE', 'AUTH_UNAVAILABLE', 'STREAMS_EXHAUSTED']);

export class QueryError extends TrackstreamError {
  readonly retriable: boolean;
  constructor(
    readonly code: QueryErrorCode,
    message: string,
    readonly details?: unknown,
    /** Who was refused, for the denial log only (never in the answer). */
    readonly who?: { principal?: string; tokenId?: string; detail?: string },
  ) {
    super(message);
    this.name = 'QueryError';
    this.retriable = RETRIABLE.has(code);
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export interface ErrorBody {
  error: { code: QueryErrorCode; message: string; details?: unknown };
}

export function errorBody(e: QueryError): ErrorBody {
  return { error: e.details === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, details: e.details } };
}

export function statusOf(code: QueryErrorCode): number {
  return STATUS[code];
}

/** Anything thrown below the HTTP layer becomes a QueryError: typed errors keep their code, the rest is INTERNAL. */
export function toQueryError(err: unknown): QueryError {
  if (err instanceof QueryError) return err;
  if (err instanceof SearchError) {
    const details: Record<string, unknown> = {};
    if (err.position !== undefined) details.position = err.position;
    if (err.expected !== undefined) details.expected = err.expected;
    return new QueryError(err.code, err.message, details);
  }
  const e = err as { code?: unknown; message?: string; type?: string };
  if (err instanceof TokenDecodeError) return new QueryError('TOKEN_INVALID', err.message);
  if (e && e.type === 'entity.parse.failed') return new QueryError('MALFORMED_JSON', 'request body is not valid JSON');
  // Any other refusal of the body parser (an unsupported Content-Encoding or charset, a body over the limit or cut
  // short) is the client's request, not our fault: 400 naming what the parser refused, never 500.
  if (e && typeof e.code === 'string' && /^(Z_|ERR__)/.test(e.code)) { // zlib (gzip, deflate) and brotli decoder errors
    return new QueryError('BAD_REQUEST', 'request body could not be decoded under its Content-Encoding', { field: 'body' });
  }
  const status = (err as { status?: unknown }).status;
  if (e && typeof e.type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
    return new QueryError('BAD_REQUEST', `request body refused (${e.type}): ${e.message ?? ''}`.trim(), { field: 'body' });
  }
  // express could not percent-decode a path parameter (`%ff`, a lone `%`): the client's fault.
  if (err instanceof URIError) return new QueryError('BAD_REQUEST', 'the path holds a malformed percent-encoding', { field: 'path' });
  if (err instanceof StoreUnavailableError) return new QueryError('STORE_UNAVAILABLE', 'a projection store is unavailable');
  return new QueryError('INTERNAL', 'internal error');
}
