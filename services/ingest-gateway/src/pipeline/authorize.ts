import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TokenBuckets } from '@trackstream/auth';
import { anonymousAuthenticator, forbiddenEvents, tokenAuthenticator, type AuthContext, type Authenticator } from '../auth';
import { GatewayError } from '../errors';
import type { CompiledAuth, RateLimit } from '../options';
import { exchangeOf } from './context';

/** The authenticator the compiled auth options call for. */
export function authenticatorFor(auth: CompiledAuth): Authenticator {
  return auth.mode === 'on' ? tokenAuthenticator(auth.validator) : anonymousAuthenticator();
}

/** Step authorize (who): resolves the request to its AuthContext before anything else is looked at. */
export function authorize(authenticator: Authenticator): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => authenticator(req))
      .then((auth) => {
        exchangeOf(res).auth = auth;
        next();
      }, next);
  };
}

/** The AuthContext step authorize stored; a route without it is a wiring bug. */
export function authOf(res: Response): AuthContext {
  const auth = exchangeOf(res).auth;
  if (auth === undefined) throw new GatewayError('INTERNAL', 'internal error', { cause: new Error('the authorize step did not run') });
  return auth;
}

/** Step authorize (what), after validation: every event's project must be writable by the token, or nothing is. */
export function checkProjects(auth: AuthContext, events: readonly { project: string }[]): void {
  const foreign = forbiddenEvents(auth, events);
  if (foreign.length === 0) return;
  const more = foreign.length > 1 ? ` (and ${foreign.length - 1} more)` : '';
  throw new GatewayError('FORBIDDEN', `the batch was rejected and nothing was appended: ${foreign[0]!.message}${more}`, {
    details: { reason: 'FORBIDDEN', problems: foreign },
  });
}

/**
 * Step authorize (how much): takes the batch's events from the token's bucket. After authentication and validation
 * (a refused batch costs nothing), before anything is appended. Auth off: no limit.
 */
export function takeRate(auth: AuthContext, events: number, limits: { rateLimit: Readonly<RateLimit>; buckets: TokenBuckets } | null): void {
  if (auth.grant === null || limits === null) return;
  const rate = auth.grant.rateLimitPerSec ?? limits.rateLimit.perSec;
  // A token's own rate is its whole budget; the configured burst goes with the configured rate.
  const burst = auth.grant.rateLimitPerSec !== null || limits.rateLimit.burst === null ? 2 * rate : limits.rateLimit.burst;
  // A batch larger than the whole bucket passes when it is full and leaves it in debt (TokenBuckets).
  const taken = limits.buckets.take(auth.grant.tokenId, events, rate, burst);
  if (taken.ok) return;
  const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
  throw new GatewayError('RATE_LIMITED', `token ${auth.grant.tokenId} is over its rate limit of ${rate} events/s; retry after ${retryAfterSeconds} s`, {
    details: { reason: 'RATE_LIMITED', limit_per_sec: rate, burst },
    retryAfterSeconds,
  });
}
