export type AuthErrorCode =
  | 'TOKEN_MISSING'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_UNKNOWN'
  | 'TOKEN_REVOKED'
  | 'TOKEN_EXPIRED'
  | 'FORBIDDEN'
  | 'AUTH_UNAVAILABLE'
  | 'TOKEN_NOT_FOUND'
  | 'INVALID_ARGUMENT';

/** Codes that mean "the caller could not be authenticated" (HTTP 401 at the services). */
export const UNAUTHENTICATED_CODES: readonly AuthErrorCode[] = [
  'TOKEN_MISSING',
  'TOKEN_MALFORMED',
  'TOKEN_UNKNOWN',
  'TOKEN_REVOKED',
  'TOKEN_EXPIRED',
];

/**
 * Every failure of the auth package. `code` is stable (the HTTP layers map it to a status in one place);
 * `retriable` is true only when trying again later can succeed without changing the request (AUTH_UNAVAILABLE).
 * Messages NEVER contain a token, not even a prefix; they may name a tokenId, a principal or a field.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly retriable: boolean;

  constructor(code: AuthErrorCode, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AuthError';
    this.code = code;
    this.retriable = opts.retriable ?? code === 'AUTH_UNAVAILABLE';
  }
}
