import { TrackstreamError } from '@trackstream/errors';
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
export class AuthError extends TrackstreamError {
  readonly code: AuthErrorCode;
  readonly retriable: boolean;
  /** The token record the failure is about, when one was found (revoked, expired): for denial logs. */
  readonly tokenId: string | undefined;
  readonly principal: string | undefined;

  constructor(code: AuthErrorCode, message: string, opts: { retriable?: boolean; cause?: unknown; tokenId?: string; principal?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AuthError';
    this.code = code;
    this.retriable = opts.retriable ?? code === 'AUTH_UNAVAILABLE';
    this.tokenId = opts.tokenId;
    this.principal = opts.principal;
  }
}

/** The caller could not be authenticated (a missing, malformed, unknown, revoked or expired token): 401 at the services. */
export class UnauthenticatedError extends AuthError {}
/** The token is valid but may not do this: 403 at the services. */
export class AuthForbiddenError extends AuthError {}
/** Tokens cannot be checked right now (the store failed or is stale); retriable. */
export class AuthUnavailableError extends AuthError {}
/** No token record with that id. */
export class TokenNotFoundError extends AuthError {}
/** An argument (principal, project, role, rateLimitPerSec, expiresAt, …) is malformed; the message starts with its name. */
export class AuthArgumentError extends AuthError {}

const CLASS_OF: Record<AuthErrorCode, new (code: AuthErrorCode, message: string, opts?: ConstructorParameters<typeof AuthError>[2]) => AuthError> = {
  TOKEN_MISSING: UnauthenticatedError,
  TOKEN_MALFORMED: UnauthenticatedError,
  TOKEN_UNKNOWN: UnauthenticatedError,
  TOKEN_REVOKED: UnauthenticatedError,
  TOKEN_EXPIRED: UnauthenticatedError,
  FORBIDDEN: AuthForbiddenError,
  AUTH_UNAVAILABLE: AuthUnavailableError,
  TOKEN_NOT_FOUND: TokenNotFoundError,
  INVALID_ARGUMENT: AuthArgumentError,
};

/**
 * The one way the auth package builds its errors: the subclass that says what happened, so callers branch on
 * `instanceof` (or `retriable`), never on the code string.
 */
export function authError(code: AuthErrorCode, message: string, opts: ConstructorParameters<typeof AuthError>[2] = {}): AuthError {
  return new CLASS_OF[code](code, message, opts);
}

/** Who a denial was about, for the services' denial logs: never the token; the message is kept as `detail`. */
export function deniedWho(err: AuthError): { principal?: string; tokenId?: string; detail: string } {
  const out: { principal?: string; tokenId?: string; detail: string } = { detail: err.message };
  if (err.principal !== undefined) out.principal = err.principal;
  if (err.tokenId !== undefined) out.tokenId = err.tokenId;
  return out;
}

const CLIENT_MESSAGES: Partial<Record<AuthErrorCode, string>> = {
  TOKEN_MISSING: 'an API token is required: send Authorization: Bearer <token>',
  TOKEN_MALFORMED: 'the Authorization header is not "Bearer <token>" with a well-formed token',
  TOKEN_UNKNOWN: 'the API token is not known',
  TOKEN_REVOKED: 'the API token was revoked',
  TOKEN_EXPIRED: 'the API token has expired',
};

/**
 * What a service tells the client about a failed authentication: a fixed sentence per code, so the answer can never
 * quote a token (the AuthError's own message, which may name a token id or principal, is for the denial log).
 */
export function unauthenticatedMessage(code: AuthErrorCode): string {
  return CLIENT_MESSAGES[code] ?? 'the API token was not accepted';
}
