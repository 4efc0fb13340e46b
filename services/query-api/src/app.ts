import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodePositionsToken, type LogPositions } from '@trackstream/events';
import { createMetricsRegistry } from '@trackstream/telemetry';
import { DENIAL_CODES, authorizeRead, scopeOf } from './auth';
import { QueryError, errorBody, toQueryError } from './errors';
import { ReadModel } from '@trackstream/read-model';
import { QueryMetrics } from './metrics';
import { openApiDocument } from './openapi';
import type { RouteContext, StoreSet } from './context';
import { registerRoutes } from './routes';
import { compileQueryApiOptions, type QueryApiOptions } from './options';
import { registerStreamRoutes } from './stream-routes';

export const TOKEN_HEADER = 'x-trackstream-token';
export const STALE_HEADER = 'X-Trackstream-Stale';

export type { QueryApiOptions } from './options';

export interface QueryApi {
  readonly app: express.Express;
  readonly metrics: QueryMetrics;
  /** Starts the HTTP server (port 0 = any free port) and resolves with its URL. */
  listen(): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

export function createQueryApi(raw: QueryApiOptions): QueryApi {
  const opts = compileQueryApiOptions(raw);
  const log = opts.logger.child({ component: 'query-api' });
  // Every read of the projections, through the read model (its pool, the ClickHouse adapter's client and URL split).
  const read = ReadModel.open({ ...opts.readModel, logger: log });
  const metrics = new QueryMetrics(createMetricsRegistry('query-api'));

  const freshness = async (req: Request, res: Response, stores: StoreSet): Promise<void> => {
    const header = req.header(TOKEN_HEADER);
    if (header === undefined) return;
    let positions: LogPositions;
    try {
      positions = decodePositionsToken(header.trim());
    } catch (err) {
      throw new QueryError('TOKEN_INVALID', `${TOKEN_HEADER}: ${(err as Error).message}`);
    }
    if (positions.topic !== opts.eventsTopic) {
      throw new QueryError('TOKEN_INVALID', `${TOKEN_HEADER} names topic ${JSON.stringify(positions.topic)}, this API reads ${JSON.stringify(opts.eventsTopic)}`);
    }
    const started = Date.now();
    const fresh = await read.waitFor(positions, stores, opts.readYourWritesWaitMs);
    metrics.freshnessWaitSeconds.observe((Date.now() - started) / 1000);
    res.setHeader(STALE_HEADER, fresh ? 'false' : 'true');
    if (!fresh) metrics.staleReads.inc({ route: routeOf(req) });
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const end = metrics.requestSeconds.startTimer({ method: req.method });
    res.on('finish', () => end({ route: routeOf(req), status: String(res.statusCode) }));
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const { postgres, clickhouse } = await read.health();
    res.status(postgres && clickhouse ? 200 : 503).json({ status: postgres && clickhouse ? 'ok' : 'degraded', postgres, clickhouse });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  // Bodies are parsed after authorization (a route's second step): an unauthenticated caller gets its 401 unparsed.
  const routeCtx: RouteContext = { read, metrics, freshness, authorize: authorizeRead(opts.auth), jsonBody: express.json({ limit: opts.jsonBodyLimit }), scope: scopeOf };
  registerRoutes(app, routeCtx);
  const streams = registerStreamRoutes(app, routeCtx, { topic: opts.eventsTopic, logger: log, ...opts.streams });

  app.use((req, _res, next) => next(new QueryError('NOT_FOUND', `no route ${req.method} ${req.path}`)));
  // express recognises an error handler by its four parameters.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toQueryError(err);
    if (e.code === 'INTERNAL' || e.code === 'STORE_UNAVAILABLE') log.error('request failed', { route: routeOf(req), err: (err as Error)?.message });
    if (DENIAL_CODES.has(e.code)) {
      // Counted by the route pattern, logged with who (never the token or the Authorization header).
      const route = routeOf(req);
      const reason = ((e.details as { reason?: unknown } | undefined)?.reason as string | undefined) ?? e.code;
      const grant = scopeOf(res).grant;
      const tokenId = grant?.tokenId ?? e.who?.tokenId;
      const principal = grant?.principal ?? e.who?.principal ?? tokenId ?? 'unknown';
      metrics.authDenied.inc({ service: 'query-api', reason, route });
      const detail = e.who?.detail;
      log.warn('access denied', {
        reason,
        principal,
        ...(tokenId === undefined ? {} : { tokenId }),
        route,
        method: req.method,
        status: e.status,
        ...(detail === undefined ? {} : { detail }),
      });
    }
    if (res.headersSent) return;
    if (e.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="trackstream"');
    if (e.code === 'AUTH_UNAVAILABLE') res.setHeader('Retry-After', '1');
    res.status(e.status).json(errorBody(e));
  });

  let server: Server | null = null;
  return {
    app,
    metrics,
    listen: () =>
      new Promise((resolve, reject) => {
        const s = app.listen(opts.port, opts.host, (err?: Error) => {
          if (err) return reject(err);
          const port = (s.address() as AddressInfo).port;
          resolve({ url: `http://127.0.0.1:${port}`, port });
        });
        server = s;
      }),
    close: async () => {
      streams.close();
      if (server) {
        const s = server;
        server = null;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await read.close();
    },
  };
}

/** The route template (`/v1/runs/:run_id`), so metrics never get one label per run id. */
function routeOf(req: Request): string {
  const path = (req.route as { path?: string } | undefined)?.path;
  return typeof path === 'string' ? path : 'unmatched';
}
