import { TrackstreamError } from '@trackstream/errors';
import type { ValidationProblem } from '@trackstream/events';

/**
 * Every error the gateway answers with: a stable code (clients and dashboards key on it), whether retrying the
 * same request can succeed, and optionally when to retry and structured details.
 */
export type GatewayErrorCode =
  | 'MALFORMED_JSON'
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_EVENTS'
  /** No usable token (missing, malformed, unknown, revoked, expired): `details.reason` says which. */
  | 'UNAUTHENTICATED'
  /** The token may not write (role) or not to an event's project; the whole batch is refused. */
  | 'FORBIDDEN'
  /** The token's events/s budget is spent; Retry-After says when to come back. Not the gateway's in-flight budget (OVERLOADED). */
  | 'RATE_LIMITED'
  /** Tokens could not be checked (their store unreachable for too long): refused, fail closed. */
  | 'AUTH_UNAVAILABLE'
  | 'NOT_FOUND'
  /** A collaboration event names a run, experiment or note that does not exist (details.problems); nothing appended. */
  | 'TARGET_NOT_FOUND'
  /** The projection that says which targets exist could not be read: refused, retry later. */
  | 'TARGETS_UNAVAILABLE'
  | 'REQUEST_TIMEOUT'
  | 'OVERLOADED'
  | 'LOG_UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'SHUTTING_DOWN'
  | 'LOG_REJECTED'
  | 'INTERNAL'
  /** The client went away before the answer; nothing is sent, the code exists for logs and metrics. */
  | 'CLIENT_CLOSED_REQUEST';

/** The one place codes become HTTP statuses. */
const STATUS: Record<GatewayErrorCode, number> = {
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  AUTH_UNAVAILABLE: 503,
  NOT_FOUND: 404,
  TARGET_NOT_FOUND: 404,
  TARGETS_UNAVAILABLE: 503,
  REQUEST_TIMEOUT: 408,
  // Too many events is a bad batch (issue 3's list of 400s), unlike bytes over the body limit (413).
  TOO_MANY_EVENTS: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  OVERLOADED: 429,
  LOG_REJECTED: 500,
  INTERNAL: 500,
  CLIENT_CLOSED_REQUEST: 499,
  LOG_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 503,
  SHUTTING_DOWN: 503,
};

const RETRIABLE: ReadonlySet<GatewayErrorCode> = new Set([
  'REQUEST_TIMEOUT',
  'OVERLOADED',
  'RATE_LIMITED',
  'AUTH_UNAVAILABLE',
  'TARGETS_UNAVAILABLE',
  'LOG_UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'SHUTTING_DOWN',
]);

export class GatewayError extends TrackstreamError {
  readonly retriable: boolean;

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly extra: {
      details?: unknown;
      retryAfterSeconds?: number;
      cause?: unknown;
      /** Who was refused (for the denial log and metrics; never sent back). */
      who?: { principal?: string; tokenId?: string; detail?: string };
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'GatewayError';
    this.retriable = RETRIABLE.has(code);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export function validationFailed(problems: readonly ValidationProblem[]): GatewayError {
  const first = problems[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid batch';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new GatewayError('VALIDATION_FAILED', `the batch was rejected and nothing was appended: ${summary}${more}`, {
    details: { problems },
  });
}

export interface ErrorBody {
  error: { code: GatewayErrorCode; message: string; retriable: boolean; details?: unknown };
}

export function errorBody(err: GatewayError): ErrorBody {
  const error: ErrorBody['error'] = { code: err.code, message: err.message, retriable: err.retriable };
  if (err.extra.details !== undefined) error.details = err.extra.details;
  return { error };
}

/** Anything thrown on the way (body parser, our code, a bug) as a GatewayError. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  // body-parser marks its errors with a `type`.
  const type = (err as { type?: string }).type;
  const message = (err as { message?: string }).message ?? String(err);
  switch (type) {
    case 'entity.too.large':
      return new GatewayError('PAYLOAD_TOO_LARGE', `request body is larger than the limit of ${(err as { limit?: number }).limit ?? '?'} bytes`, { cause: err });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new GatewayError('UNSUPPORTED_MEDIA_TYPE', message, { cause: err });
    case 'request.aborted':
      return new GatewayError('CLIENT_CLOSED_REQUEST', 'the client aborted the request', { cause: err });
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new GatewayError('BAD_REQUEST', message, { cause: err });
    default: {
      // Any other refusal of the request itself (e.g. a body that does not inflate as its Content-Encoding says).
      const status = (err as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) return new GatewayError('BAD_REQUEST', `the request was refused: ${message}`, { cause: err });
      return new GatewayError('INTERNAL', 'internal error', { cause: err });
    }
  }
}
