import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GatewayError } from './errors';

/**
 * Who is writing, and the project they are bound to (null: not bound to one). Access control is its own issue;
 * this seam is where it plugs in: the handler only ever sees an AuthContext.
 */
export interface AuthContext {
  principal: string;
  project: string | null;
}

/** Resolves a request to its AuthContext or throws GatewayError('UNAUTHENTICATED'). */
export type Authenticator = (req: Request) => AuthContext | Promise<AuthContext>;

export const PRINCIPAL_HEADER = 'x-trackstream-principal';
const PRINCIPAL = /^[A-Za-z0-9][A-Za-z0-9_.@:+-]{0,127}$/;

/** Today's authenticator: whoever the client says it is (header), else 'anonymous'; no project binding. */
export function anonymousAuthenticator(): Authenticator {
  return (req) => {
    const claimed = req.get(PRINCIPAL_HEADER);
    if (claimed === undefined || claimed === '') return { principal: 'anonymous', project: null };
    if (!PRINCIPAL.test(claimed)) {
      throw new GatewayError('UNAUTHENTICATED', `header ${PRINCIPAL_HEADER} must match ${PRINCIPAL.source}`);
    }
    return { principal: claimed, project: null };
  };
}

export function authenticate(authenticator: Authenticator): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => authenticator(req))
      .then((auth) => {
        res.locals.auth = auth;
        next();
      }, next);
  };
}

export function authOf(res: Response): AuthContext {
  return res.locals.auth as AuthContext;
}
