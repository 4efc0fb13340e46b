import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { decodePositionsToken, type LogPositions } from '@trackstream/events';
import { createMetricsRegistry, noopLogger, type Logger } from '@trackstream/telemetry';
import { DENIAL_CODES, authorizeRead, scopeOf, type QueryAuth, type ReadScope } from './auth';
import { QueryError, errorBody, toQueryError } from './errors';
import { coalesced, CollabReader, LineageReader, openClickHouseReader, PostgresReader, waitForPositions, type CheckpointSource } from '@trackstream/read-model';
import { QueryMetrics } from './metrics';
import { openApiDocument } from './openapi';
import type { RouteContext, StoreSet } from './context';
import { registerRoutes } from './routes';
import { registerStreamRoutes, type StreamOptionsRaw } from './stream-routes';

export const TOKEN_HEADER = 'x-trackstream-token';
export const STALE_HEADER = 'X-Trackstream-Stale';

export interface QueryApiOptions {
  /** postgres://… of the database the Postgres projector writes. */
  pgUrl: string;
  /** Schema of the projection tables (TRACKSTREAM_PG_SCHEMA, as the projector). */
  pgSchema?: string;
  /** ClickHouse HTTP URL; its path names the database (as the projector's). */
  clickhouseUrl: string;
  /** Overrides the URL's database. */
  clickhouseDatabase?: string;
  /** Topic the gateway's tokens name; a token for another topic is refused. */
  eventsTopic: string;
  /** How long a read with a token waits for the projections before answering stale. */
  readYourWritesWaitMs: number;
  port?: number;
  host?: string;
  logger?: Logger;
  pgPoolSize?: number;
  /**
   * Access control. Default `{mode: 'off'}` (a library default: the composition root, main.ts, defaults to on):
   * every project readable without a token.
   */
  auth?: QueryAuth;
  /** Live streams (GET /v1/stream/...): poll interval, heartbeat, bound on open streams. */
  streams?: Omit<StreamOptionsRaw, 'topic' | 'logger'>;
}

export interface QueryApi {
  readonly app: express.Express;
  readonly metrics: QueryMetrics;
  /** Starts the HTTP server (port 0 = any free port) and resolves with its URL. */
  listen(): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

export function createQueryApi(opts: QueryApiOptions): QueryApi {
  const log = (opts.logger ?? noopLogger).child({ component: 'query-api' });
  const schema = opts.pgSchema ?? 'public';
  const pool = new Pool({ connectionString: opts.pgUrl, max: opts.pgPoolSize ?? 8, connectionTimeoutMillis: 5_000 });
  pool.on('error', (err) => log.warn('idle postgres connection failed', { err: err.message }));
  const pg = new PostgresReader(pool, schema);
  // The adapter's one client factory and URL split (@trackstream/clickhouse, through the read model).
  const { reader: ch, client: chClient } = openClickHouseReader({ url: opts.clickhouseUrl, ...(opts.clickhouseDatabase === undefined ? {} : { database: opts.clickhouseDatabase }) });
  const metrics = new QueryMetrics(createMetricsRegistry('query-api'));

  const pgCheckpoints: CheckpointSource = coalesced((topic) => pg.checkpoints(topic));
  const chCheckpoints: CheckpointSource = coalesced((topic) => ch.checkpoints(topic));

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
    const sources: CheckpointSource[] = [];
    if (stores.postgres) sources.push(pgCheckpoints);
    if (stores.clickhouse) sources.push(chCheckpoints);
    const started = Date.now();
    const fresh = await waitForPositions(sources, positions, { timeoutMs: opts.readYourWritesWaitMs });
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
    const checks = await Promise.allSettled([pool.query('SELECT 1'), chClient.ping()]);
    const postgres = checks[0].status === 'fulfilled';
    const clickhouse = checks[1].status === 'fulfilled' && (checks[1].value as { success: boolean }).success;
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
  const routeCtx: RouteContext = { pg, ch, lineage: new LineageReader(pool, schema), collab: new CollabReader(pool, schema), metrics, schema, freshness, authorize: authorizeRead(opts.auth ?? { mode: 'off' }), jsonBody: express.json({ limit: '1mb' }), scope: scopeOf };
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
        const s = app.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', (err?: Error) => {
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
      await Promise.allSettled([pool.end(), chClient.close()]);
    },
  };
}

/** The route template (`/v1/runs/:run_id`), so metrics never get one label per run id. */
function routeOf(req: Request): string {
  const path = (req.route as { path?: string } | undefined)?.path;
  return typeof path === 'string' ? path : 'unmatched';
}
