import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AuthError, AuthForbiddenError, bearerToken, deniedWho, unauthenticatedMessage, readableProjects, roleAllows, type Grant, type TokenValidator } from '@trackstream/auth';
import { QueryError } from './errors';

/**
 * Access control of the query API. Off (local single-user setup): every project is readable. On: every /v1 route
 * needs a token with the `read` capability, and every query is scoped to the token's projects; another project's
 * run or experiment answers exactly as one that does not exist (404), so ids do not leak.
 */
export type QueryAuth = { mode: 'off' } | { mode: 'on'; validator: Pick<TokenValidator, 'validate'> };

/** Who is reading, and what: null projects = every project (auth off, or a '*' token). */
export interface ReadScope {
  grant: Grant | null;
  projects: string[] | null;
}

const UNSCOPED: ReadScope = { grant: null, projects: null };

/** The scope the route's authorize() step left for this request. */
export function scopeOf(res: Response): ReadScope {
  return (res.locals.scope as ReadScope | undefined) ?? UNSCOPED;
}

/** Route-level step (so the denial is counted under the route pattern): resolves the token into res.locals.scope. */
export function authorizeRead(auth: QueryAuth): RequestHandler {
  if (auth.mode === 'off') {
    return (_req, res, next) => {
      res.locals.scope = UNSCOPED;
      next();
    };
  }
  return (req: Request, res: Response, next: NextFunction) => {
    let grant: Grant;
    try {
      const token = bearerToken(req.get('authorization'));
      if (token === undefined) throw new QueryError('UNAUTHENTICATED', unauthenticatedMessage('TOKEN_MISSING'), { reason: 'TOKEN_MISSING' });
      grant = auth.validator.validate(token);
    } catch (err) {
      return next(authFailure(err));
    }
    res.locals.scope = { grant, projects: readableProjects(grant) } satisfies ReadScope;
    if (!roleAllows(grant.role, 'read')) {
      return next(new QueryError('FORBIDDEN', `token ${grant.tokenId} (role ${grant.role}) may not read`, { reason: 'FORBIDDEN' }, { principal: grant.principal, tokenId: grant.tokenId }));
    }
    next();
  };
}

/** The projects a query may see: what the caller asked for (null = all) within what the scope allows. */
export function visibleProjects(scope: ReadScope, requested: readonly string[] | null): string[] | null {
  if (scope.projects === null) return requested === null ? null : [...requested];
  if (requested === null) return [...scope.projects];
  const allowed = new Set(scope.projects);
  return requested.filter((p) => allowed.has(p));
}


/** An AuthError as the API's answer; the message is ours, so it can never carry the token. */
export function authFailure(err: unknown): QueryError {
  if (err instanceof QueryError) return err;
  if (err instanceof AuthError) {
    const who = deniedWho(err);
    if (err.retriable) return new QueryError('AUTH_UNAVAILABLE', 'API tokens cannot be checked right now; retry later', { reason: err.code }, who);
    if (err instanceof AuthForbiddenError) return new QueryError('FORBIDDEN', 'this token may not read', { reason: err.code }, who);
    return new QueryError('UNAUTHENTICATED', unauthenticatedMessage(err.code), { reason: err.code }, who);
  }
  return new QueryError('INTERNAL', 'internal error');
}


export const DENIAL_CODES: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'AUTH_UNAVAILABLE']);
