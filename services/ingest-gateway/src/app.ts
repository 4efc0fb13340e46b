import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { LIMITS } from '@trackstream/events';
import { createMetricsRegistry } from '@trackstream/telemetry';
import { AdaptiveAdmission } from './admission';
import { GatewayError } from './errors';
import { GuardedEventLog } from './guarded-log';
import { createGatewayMetrics } from './metrics';
import { compileGatewayOptions, type GatewayOptions } from './options';
import { admit } from './pipeline/admit';
import { answerAccepted, answerError, measure } from './pipeline/answer';
import { appendBatch, stamp } from './pipeline/append';
import { authenticatorFor, authOf, authorize, checkProjects, takeRate } from './pipeline/authorize';
import { exchangeOf, type GatewayContext } from './pipeline/context';
import { parseBatch } from './pipeline/parse';
import { checkTargets } from './pipeline/targets';
import { checkViews } from './pipeline/views';

export { DEFAULT_BUDGET, DEFAULT_DEADLINE_MS, DEFAULT_RATE_LIMIT, type GatewayAuth, type GatewayOptions, type RateLimit } from './options';

export interface Gateway {
  readonly app: Express;
  readonly registry: Registry;
  /** Starts serving; port 0 picks a free port (see the returned address). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops taking requests, lets those in flight finish for up to graceMs, then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The gateway: options compiled once, then `POST /v1/events` as a pipeline of named steps (pipeline/):
 * authorize (who) → admit (head, budget, deadline) → read the body → parse (parseEventBatchText) → views (saved filters in the search grammar) →
 * authorize (projects) → targets (collaboration events name what exists) → authorize (rate) → append → answer. Every error on the way is answered by answerError.
 */
export function createGateway(raw: GatewayOptions): Gateway {
  const options = compileGatewayOptions(raw);
  const logger = options.logger.child({ component: 'ingest-gateway' });
  const registry = options.registry ?? createMetricsRegistry('ingest-gateway');
  const admission = new AdaptiveAdmission(options.budget, options.admission);
  const log = new GuardedEventLog(options.eventLog, options.breaker, logger);
  const metrics = createGatewayMetrics(registry, {
    inFlightBytes: () => admission.inFlightBytes,
    inFlightRequests: () => admission.inFlightRequests,
    inFlightLimitBytes: () => admission.limitBytes(),
    completedBytesPerSecond: () => admission.bytesPerSecond(),
    breakerState: () => log.state(),
  });
  let shuttingDown = false;
  let server: Server | null = null;
  const ctx: GatewayContext = { options, logger, metrics, admission, log, shuttingDown: () => shuttingDown };
  const rateLimits = options.auth.mode === 'on' ? options.auth : null;
  const fail = (req: Request, res: Response, err: unknown) => answerError(ctx, req, res, err);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(measure(metrics));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res, next) => {
    if (shuttingDown) return next(new GatewayError('SHUTTING_DOWN', 'the gateway is shutting down', { retryAfterSeconds: 1 }));
    options.checkReady().then(
      () => res.json({ status: 'ready', breaker: log.state() }),
      (err: unknown) =>
        next(new GatewayError('LOG_UNAVAILABLE', `Kafka is not reachable: ${(err as Error).message}`, { retryAfterSeconds: log.retryAfterSeconds() })),
    );
  });

  app.get('/metrics', (_req, res, next) => {
    registry.metrics().then((text) => res.type(registry.contentType).send(text), next);
  });

  app.post(
    '/v1/events',
    authorize(authenticatorFor(options.auth)),
    admit(ctx, fail),
    express.raw({ type: () => true, limit: LIMITS.batchBytes }),
    (req, res, next) => {
      accept(req, res).catch(next);
    },
  );

  app.use((req, _res, next) => next(new GatewayError('NOT_FOUND', `no route for ${req.method} ${req.path}`)));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => fail(req, res, err));

  async function accept(req: Request, res: Response): Promise<void> {
    if (res.headersSent) return; // answered at the deadline while the body was still arriving
    const exchange = exchangeOf(res);
    exchange.phase = 'validate';
    const body = req.body as unknown;
    const events = parseBatch(body);
    checkViews(events);
    const auth = authOf(res);
    checkProjects(auth, events);
    await checkTargets(events, options.targets);
    takeRate(auth, events.length, rateLimits);
    exchange.phase = 'append';
    const stored = stamp(events, auth, Date.now());
    const positions = await appendBatch({ log, metrics }, stored, Buffer.isBuffer(body) ? body.length : 0, exchange.signal as AbortSignal);
    answerAccepted(res, stored.length, positions);
  }

  return {
    app,
    registry,
    async listen(port, host = '0.0.0.0') {
      server = app.listen(port, host);
      // The deadline starts once the headers are in; a client trickling its headers is cut off by Node itself.
      server.headersTimeout = Math.max(options.deadlineMs, 5000);
      server.requestTimeout = 2 * options.deadlineMs + 1000;
      await once(server, 'listening');
      return server.address() as AddressInfo;
    },
    async close(graceMs = 10_000) {
      shuttingDown = true;
      const s = server;
      if (s) {
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeIdleConnections();
        const until = Date.now() + graceMs;
        while (admission.inFlightRequests > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        s.closeAllConnections();
        await closed;
      }
      log.shutdown();
    },
  };
}
