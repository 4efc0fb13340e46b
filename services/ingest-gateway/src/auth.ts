import type { Request } from 'express';
import { AuthError, AuthForbiddenError, bearerToken, deniedWho, unauthenticatedMessage, canAccess, roleAllows, type Grant, type TokenValidator } from '@trackstream/auth';
import { GatewayError } from './errors';

/**
 * Who is writing. `grant` is the validated token (auth on); null when auth is off (local single-user setup), where
 * the principal is whatever the client claims and every project is writable. The handler only ever sees this.
 */
export interface AuthContext {
  principal: string;
  grant: Grant | null;
}

/** Resolves a request to its AuthContext or throws a GatewayError (UNAUTHENTICATED, FORBIDDEN, AUTH_UNAVAILABLE). */
export type Authenticator = (req: Request) => AuthContext | Promise<AuthContext>;

export const PRINCIPAL_HEADER = 'x-trackstream-principal';
const PRINCIPAL = /^[A-Za-z0-9][A-Za-z0-9_.@:+-]{0,127}$/;

/** Auth off: whoever the client says it is (header), else 'anonymous'; no project restriction. */
export function anonymousAuthenticator(): Authenticator {
  return (req) => {
    const claimed = req.get(PRINCIPAL_HEADER);
    if (claimed === undefined || claimed === '') return { principal: 'anonymous', grant: null };
    if (!PRINCIPAL.test(claimed)) {
      throw new GatewayError('UNAUTHENTICATED', `header ${PRINCIPAL_HEADER} must match ${PRINCIPAL.source}`, { details: { reason: 'PRINCIPAL_MALFORMED' } });
    }
    return { principal: claimed, grant: null };
  };
}

/**
 * Auth on: `Authorization: Bearer <token>`, checked against the validator's in-process cache (no database round
 * trip). The token must carry the `write` capability; which projects it may write is checked per event later.
 */
export function tokenAuthenticator(validator: Pick<TokenValidator, 'validate'>): Authenticator {
  return (req) => {
    let grant: Grant;
    try {
      const token = bearerToken(req.get('authorization'));
      if (token === undefined) throw new GatewayError('UNAUTHENTICATED', 'an API token is required: send Authorization: Bearer <token>', { details: { reason: 'TOKEN_MISSING' } });
      grant = validator.validate(token);
    } catch (err) {
      throw authFailure(err);
    }
    if (!roleAllows(grant.role, 'write')) {
      throw new GatewayError('FORBIDDEN', `token ${grant.tokenId} (role ${grant.role}) may not write events`, {
        details: { reason: 'FORBIDDEN' },
        who: { principal: grant.principal, tokenId: grant.tokenId },
      });
    }
    return { principal: grant.principal, grant };
  };
}

/** Events of the batch the context may not write: one problem per event, naming its index. */
export function forbiddenEvents(auth: AuthContext, events: readonly { project: string }[]): { index: number; path: string; message: string }[] {
  const grant = auth.grant;
  if (grant === null) return [];
  return events.flatMap((e, index) =>
    canAccess(grant, 'write', e.project)
      ? []
      : [{ index, path: `events[${index}].project`, message: `token ${grant.tokenId} may not write to project ${JSON.stringify(e.project)}` }],
  );
}

/** An AuthError (or anything thrown while checking a token) as the gateway's answer; never carries the token. */
export function authFailure(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof AuthError) {
    const who = deniedWho(err);
    // The code travels as the answer's reason; the decision is the auth package's classification.
    if (err.retriable) return new GatewayError('AUTH_UNAVAILABLE', 'API tokens cannot be checked right now; retry later', { details: { reason: err.code }, retryAfterSeconds: 1, who });
    if (err instanceof AuthForbiddenError) return new GatewayError('FORBIDDEN', err.message, { details: { reason: err.code }, who });
    return new GatewayError('UNAUTHENTICATED', unauthenticatedMessage(err.code), { details: { reason: err.code }, who });
  }
  return new GatewayError('INTERNAL', 'internal error', { cause: err });
}

