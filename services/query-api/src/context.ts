import type { Request, RequestHandler, Response } from 'express';
import type { ReadScope } from './auth';
import type { QueryMetrics } from './metrics';
import type { ReadModel, StoreSet } from '@trackstream/read-model';

// What the routes get from the composition root (app.ts), in its own module so that app.ts → routes.ts →
// context.ts has no cycle back into app.ts.

/** Which projection stores a route reads, so a token makes it wait for exactly those. */
export type { StoreSet };

export interface RouteContext {
  /** Every read of the projections: the routes parse, call it, answer; they hold no pool and run no SQL. */
  read: ReadModel;
  metrics: QueryMetrics;
  /** Waits for the request's token (if any) on the given stores and sets X-Trackstream-Stale. */
  freshness(req: Request, res: Response, stores: StoreSet): Promise<void>;
  /** First step of every /v1 route: the caller's API token must allow reading (401/403 otherwise). */
  authorize: RequestHandler<any>;
  /** The JSON body parser of POST routes, after authorize. */
  jsonBody: RequestHandler<any>;
  /** What the request may see (set by authorize). */
  scope(res: Response): ReadScope;
}

