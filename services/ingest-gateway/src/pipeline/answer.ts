import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { encodePositionsToken, type LogPositions } from '@trackstream/events';
import type { Logger } from '@trackstream/telemetry';
import { GatewayError, errorBody, toGatewayError, type ErrorBody } from '../errors';
import type { GatewayMetrics } from '../metrics';
import { secondsSince } from './append';
import { exchangeOf } from './context';

/** Reasons a request is denied for access control, counted in trackstream_auth_denied_total. */
const DENIAL_CODES: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'AUTH_UNAVAILABLE']);

/** Step answer (accepted): 202 with the count and the positions token. */
export function answerAccepted(res: Response, accepted: number, positions: LogPositions): void {
  res.status(202).json({ accepted, token: encodePositionsToken(positions) });
}

/** An error as the response it becomes: status from the code table, Retry-After, WWW-Authenticate, the JSON body. */
export function errorResponse(error: GatewayError): { status: number; headers: Record<string, string>; body: ErrorBody } {
  const headers: Record<string, string> = {};
  if (error.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="trackstream"';
  const retryAfter = error.extra.retryAfterSeconds ?? (error.status === 429 || error.status === 503 ? 1 : undefined);
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
  return { status: error.status, headers, body: errorBody(error) };
}

/** The express route pattern (never the raw URL), or 'unmatched'. */
export function routeOf(req: Request): string {
  return req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
}

/** Step answer (refused): the one way an error becomes a response, counted and logged by its kind. */
export function answerError(deps: { logger: Logger; metrics: GatewayMetrics }, req: Request, res: Response, err: unknown): void {
  const error = toGatewayError(err);
  if (res.headersSent) return;
  deps.metrics.rejected.inc({ code: error.code });
  if (DENIAL_CODES.has(error.code)) denied(deps, req, res, error);
  if (error.code === 'INTERNAL' || error.code === 'LOG_REJECTED') {
    deps.logger.error('request failed', { method: req.method, path: req.path, code: error.code, error: error.cause ?? error });
  } else if (error.status >= 500) {
    deps.logger.warn('request not accepted', { method: req.method, path: req.path, code: error.code, message: error.message });
  }
  if (error.code === 'CLIENT_CLOSED_REQUEST') return;
  const answer = errorResponse(error);
  res.set(answer.headers);
  res.status(answer.status).json(answer.body);
}

/** A refused access: counted by reason and route pattern, logged at warn with who (never the token or the header). */
function denied(deps: { logger: Logger; metrics: GatewayMetrics }, req: Request, res: Response, error: GatewayError): void {
  const reason = error.code === 'RATE_LIMITED' ? 'RATE_LIMITED' : (((error.extra.details as { reason?: unknown } | undefined)?.reason as string | undefined) ?? error.code);
  const route = routeOf(req);
  const auth = exchangeOf(res).auth;
  const tokenId = auth?.grant?.tokenId ?? error.extra.who?.tokenId;
  const principal = auth?.grant?.principal ?? error.extra.who?.principal ?? tokenId ?? 'unknown';
  deps.metrics.authDenied.inc({ service: 'ingest-gateway', reason, route });
  const detail = error.extra.who?.detail;
  deps.logger.warn('access denied', {
    reason,
    principal,
    ...(tokenId === undefined ? {} : { tokenId }),
    route,
    method: req.method,
    status: error.status,
    ...(detail === undefined ? {} : { detail }),
  });
}

/** Request duration by route pattern, method and status. */
export function measure(metrics: GatewayMetrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      metrics.requestDuration.observe({ route: routeOf(req), method: req.method, status: String(res.statusCode) }, secondsSince(started));
    });
    next();
  };
}
