import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { LIMITS, encodePositionsToken, findDuplicateKeys, parseEventBatch, type StoredEvent, type ValidationProblem } from '@trackstream/events';
import type { EventLog } from '@trackstream/kafka';
import { createMetricsRegistry, type Logger } from '@trackstream/telemetry';
import { TokenBuckets, type TokenValidator } from '@trackstream/auth';
import { anonymousAuthenticator, authenticate, authOf, forbiddenEvents, tokenAuthenticator, type AuthContext } from './auth';
import { AdaptiveAdmission, type AdmissionOptions, type Refusal } from './admission';
import type { BudgetLimits } from './budget';
import { GatewayError, errorBody, toGatewayError, validationFailed } from './errors';
import { DEFAULT_BREAKER, GuardedEventLog, type BreakerOptions } from './guarded-log';
import { createGatewayMetrics, type GatewayMetrics } from './metrics';

export interface GatewayOptions {
  eventLog: EventLog;
  /** Readiness: resolves when the log's store answers, rejects otherwise. */
  checkReady: () => Promise<void>;
  logger: Logger;
  registry?: Registry;
  /**
   * Access control. Default `{mode: 'off'}` (a library default: the composition root, main.ts, defaults to on):
   * principal from X-Trackstream-Principal or 'anonymous', every project writable.
   */
  auth?: GatewayAuth;
  /** In-flight budget; defaults 64 MiB and 256 requests. Hard caps, whatever adaptive admission measures. */
  budget?: Partial<BudgetLimits>;
  /**
   * Admission by expected work (admission.ts): in-flight bytes capped at the measured completion rate × a share of
   * the deadline, never below one maximum-size batch. `enabled: false` admits by `budget` alone. For tests: `now`.
   */
  admission?: Partial<Omit<AdmissionOptions, 'deadlineMs' | 'floorBytes'>>;
  /** Every POST is answered within this many ms. Default 5000. */
  deadlineMs?: number;
  breaker?: Partial<BreakerOptions>;
}

export interface Gateway {
  readonly app: Express;
  readonly registry: Registry;
  /** Starts serving; port 0 picks a free port (see the returned address). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops taking requests, lets those in flight finish for up to graceMs, then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

export type GatewayAuth =
  | { mode: 'off' }
  | {
      mode: 'on';
      /** Validates bearer tokens from its cache (TokenValidator, started by the caller). */
      validator: Pick<TokenValidator, 'validate'>;
      /** Events per second per token (a token's rateLimitPerSec overrides it) and bucket size. */
      rateLimit?: Partial<RateLimit>;
      /** For tests: buckets with their own clock. */
      buckets?: TokenBuckets;
    };

export interface RateLimit {
  perSec: number;
  /** Bucket size; null = twice the token's rate. */
  burst: number | null;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { perSec: 20_000, burst: null };

/** Reasons a request is denied for access control, counted in trackstream_auth_denied_total. */
const DENIAL_CODES: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'AUTH_UNAVAILABLE']);

export const DEFAULT_BUDGET: BudgetLimits = { maxBytes: 64 * 1024 * 1024, maxRequests: 256 };
export const DEFAULT_DEADLINE_MS = 5000;

/** Rejected for the client's sake, not the log's: never counted against the circuit. */
const clientClosed = () => new GatewayError('CLIENT_CLOSED_REQUEST', 'the client closed the connection before the answer');

export function createGateway(opts: GatewayOptions): Gateway {
  const logger = opts.logger.child({ component: 'ingest-gateway' });
  const registry = opts.registry ?? createMetricsRegistry('ingest-gateway');
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  // The floor is one maximum-size batch: whatever was measured, the gateway can always take the largest request.
  const admission = new AdaptiveAdmission({ ...DEFAULT_BUDGET, ...opts.budget }, { ...opts.admission, deadlineMs, floorBytes: LIMITS.batchBytes });
  const log = new GuardedEventLog(opts.eventLog, { ...DEFAULT_BREAKER, ...opts.breaker }, logger);
  const metrics = createGatewayMetrics(registry, {
    inFlightBytes: () => admission.inFlightBytes,
    inFlightRequests: () => admission.inFlightRequests,
    inFlightLimitBytes: () => admission.limitBytes(),
    completedBytesPerSecond: () => admission.bytesPerSecond(),
    breakerState: () => log.state(),
  });
  const auth = opts.auth ?? { mode: 'off' };
  const authenticator = auth.mode === 'on' ? tokenAuthenticator(auth.validator) : anonymousAuthenticator();
  const rateLimit: RateLimit = { ...DEFAULT_RATE_LIMIT, ...(auth.mode === 'on' ? auth.rateLimit : {}) };
  const buckets = auth.mode === 'on' ? (auth.buckets ?? new TokenBuckets()) : null;
  let shuttingDown = false;
  let server: Server | null = null;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(measure(metrics));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res, next) => {
    if (shuttingDown) return next(new GatewayError('SHUTTING_DOWN', 'the gateway is shutting down', { retryAfterSeconds: 1 }));
    opts.checkReady().then(
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
    authenticate(authenticator),
    admit(),
    express.raw({ type: () => true, limit: LIMITS.batchBytes }),
    (req, res, next) => {
      accept(req, res).catch(next);
    },
  );

  app.use((req, _res, next) => next(new GatewayError('NOT_FOUND', `no route for ${req.method} ${req.path}`)));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    respondError(req, res, err);
  });

  /** The one way an error becomes a response (status from the code table, Retry-After, JSON body). */
  function respondError(req: Request, res: Response, err: unknown): void {
    const error = toGatewayError(err);
    if (res.headersSent) return;
    metrics.rejected.inc({ code: error.code });
    if (DENIAL_CODES.has(error.code)) denied(req, res, error);
    if (error.code === 'INTERNAL' || error.code === 'LOG_REJECTED') {
      logger.error('request failed', { method: req.method, path: req.path, code: error.code, error: error.cause ?? error });
    } else if (error.status >= 500) {
      logger.warn('request not accepted', { method: req.method, path: req.path, code: error.code, message: error.message });
    }
    if (error.code === 'CLIENT_CLOSED_REQUEST') return;
    if (error.status === 401) res.set('WWW-Authenticate', 'Bearer realm="trackstream"');
    const retryAfter = error.extra.retryAfterSeconds ?? (error.status === 429 || error.status === 503 ? 1 : undefined);
    if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
    res.status(error.status).json(errorBody(error));
  }

  /**
   * A refused access: counted by reason and route pattern, logged at warn with who (never the token or the header).
   */
  function denied(req: Request, res: Response, error: GatewayError): void {
    const reason = error.code === 'RATE_LIMITED' ? 'RATE_LIMITED' : (((error.extra.details as { reason?: unknown } | undefined)?.reason as string | undefined) ?? error.code);
    const route = routeOf(req);
    const auth = res.locals.auth as AuthContext | undefined;
    const tokenId = auth?.grant?.tokenId ?? error.extra.who?.tokenId;
    const principal = auth?.grant?.principal ?? error.extra.who?.principal ?? tokenId ?? 'unknown';
    metrics.authDenied.inc({ service: 'ingest-gateway', reason, route });
    const detail = error.extra.who?.detail;
    logger.warn('access denied', {
      reason,
      principal,
      ...(tokenId === undefined ? {} : { tokenId }),
      route,
      method: req.method,
      status: error.status,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  /**
   * Admission before the body is read: the media type, the declared size, the in-flight budget (static limits and
   * expected work), and the request's deadline. The reservation and the timer end when the response does.
   */
  function admit() {
    return (req: Request, res: Response, next: NextFunction) => {
      if (shuttingDown) return next(new GatewayError('SHUTTING_DOWN', 'the gateway is shutting down', { retryAfterSeconds: 1 }));
      // null: no body at all, which the handler answers as an empty batch.
      if (req.is('application/json') === false) {
        return next(new GatewayError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json (got ${req.get('content-type') ?? 'none'})`));
      }
      const declared = req.get('content-length');
      // Without a declared length (chunked), reserve the most a body may be.
      const parsedLength = declared === undefined ? NaN : Number(declared);
      const length = Number.isSafeInteger(parsedLength) && parsedLength >= 0 ? parsedLength : LIMITS.batchBytes;
      if (length > LIMITS.batchBytes) {
        res.set('Connection', 'close');
        return next(new GatewayError('PAYLOAD_TOO_LARGE', `request body of ${length} bytes is over the limit of ${LIMITS.batchBytes} bytes`));
      }
      const admitted = admission.tryAdmit(length);
      if (!admitted.ok) return next(overloaded(admitted.refusal));
      const reservation = admitted.admitted;
      const controller = new AbortController();
      res.locals.signal = controller.signal;
      res.locals.phase = 'body';
      const timer = setTimeout(() => {
        if (res.headersSent) return;
        if (res.locals.phase === 'body') {
          // The body parser still owns `next`; answer directly and let the connection go.
          res.set('Connection', 'close');
          respondError(req, res, new GatewayError('REQUEST_TIMEOUT', `the request body did not arrive within ${deadlineMs} ms`));
          controller.abort(clientClosed());
          return;
        }
        // The append rejects with this reason and the error handler answers.
        controller.abort(
          new GatewayError(
            'DEADLINE_EXCEEDED',
            `Kafka did not acknowledge the batch within ${deadlineMs} ms; it may or may not be in the log: retry with the same event ids`,
            { retryAfterSeconds: log.retryAfterSeconds() },
          ),
        );
      }, deadlineMs);
      res.once('close', () => {
        clearTimeout(timer);
        // Only work finished in time counts towards the measured rate; a timeout or a failed append is time spent
        // without a result, which is what lowers the limit when the gateway falls behind.
        reservation.release(res.writableFinished && workDone(res.statusCode) ? 'completed' : 'failed');
        if (!res.writableFinished) controller.abort(clientClosed());
      });
      next();
    };
  }

  /** 429 OVERLOADED saying which limit was hit; the expected-work one says why the gateway refuses early. */
  function overloaded(refusal: Refusal): GatewayError {
    const inFlight = `${admission.inFlightRequests} requests, ${admission.inFlightBytes} bytes`;
    const message =
      refusal.reason === 'expected_work'
        ? `the gateway would not finish its in-flight work (${inFlight}) within the ${deadlineMs} ms deadline: it completes about ` +
          `${Math.round(refusal.bytesPerSecond)} request bytes/s, so it holds at most ${refusal.limit} bytes; retry later`
        : `the gateway is at its in-flight limit of ${refusal.limit} ${refusal.reason} (in flight: ${inFlight}); retry later`;
    const reason = refusal.reason === 'expected_work' ? 'EXPECTED_WORK' : refusal.reason === 'requests' ? 'INFLIGHT_REQUESTS' : 'INFLIGHT_BYTES';
    return new GatewayError('OVERLOADED', message, { retryAfterSeconds: 1, details: { reason, limit: refusal.limit } });
  }

  async function accept(req: Request, res: Response): Promise<void> {
    if (res.headersSent) return; // answered at the deadline while the body was still arriving
    res.locals.phase = 'validate';
    const raw = req.body as unknown;
    if (!Buffer.isBuffer(raw) || raw.length === 0) throw new GatewayError('MALFORMED_JSON', 'request body is empty; expected {"events": [...]}');
    const text = raw.toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new GatewayError('MALFORMED_JSON', `request body is not valid JSON: ${(err as Error).message}`);
    }
    const declared = (body as { events?: unknown } | null)?.events;
    if (Array.isArray(declared) && declared.length > LIMITS.eventsPerBatch) {
      throw new GatewayError('TOO_MANY_EVENTS', `a batch holds at most ${LIMITS.eventsPerBatch} events (got ${declared.length}); split it`, {
        details: {
          limit: LIMITS.eventsPerBatch,
          count: declared.length,
          problems: [{ index: null, path: 'events', message: `at most ${LIMITS.eventsPerBatch} events per batch (got ${declared.length})` }],
        },
      });
    }
    const parsed = parseEventBatch(body);
    const problems: ValidationProblem[] = [...(parsed.ok ? [] : parsed.problems), ...conflictingKeys(text)];
    if (!parsed.ok || problems.length > 0) throw validationFailed(sortProblems(problems));

    const auth = authOf(res);
    const foreign = forbiddenEvents(auth, parsed.events);
    if (foreign.length > 0) {
      const more = foreign.length > 1 ? ` (and ${foreign.length - 1} more)` : '';
      throw new GatewayError('FORBIDDEN', `the batch was rejected and nothing was appended: ${foreign[0]!.message}${more}`, {
        details: { reason: 'FORBIDDEN', problems: foreign },
      });
    }
    if (auth.grant !== null && buckets !== null) {
      // After authentication and validation (a refused batch costs nothing), before anything is appended.
      const rate = auth.grant.rateLimitPerSec ?? rateLimit.perSec;
      // A token's own rate is its whole budget; the configured burst goes with the configured rate.
      const burst = auth.grant.rateLimitPerSec !== null || rateLimit.burst === null ? 2 * rate : rateLimit.burst;
      // A batch larger than the whole bucket passes when it is full and leaves it in debt (TokenBuckets).
      const taken = buckets.take(auth.grant.tokenId, parsed.events.length, rate, burst);
      if (!taken.ok) {
        const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
        throw new GatewayError('RATE_LIMITED', `token ${auth.grant.tokenId} is over its rate limit of ${rate} events/s; retry after ${retryAfterSeconds} s`, {
          details: { reason: 'RATE_LIMITED', limit_per_sec: rate, burst },
          retryAfterSeconds,
        });
      }
    }

    const receivedAt = Date.now();
    const stored = parsed.events.map((e) => ({ ...e, received_at: receivedAt, principal: auth.principal }) as StoredEvent);
    res.locals.phase = 'append';
    const started = process.hrtime.bigint();
    let positions;
    try {
      positions = await log.append(stored, res.locals.signal as AbortSignal);
    } catch (err) {
      metrics.producerLatency.observe({ outcome: 'error' }, seconds(started));
      throw err;
    }
    metrics.producerLatency.observe({ outcome: 'ok' }, seconds(started));
    metrics.batchEvents.observe(stored.length);
    metrics.batchBytes.observe(raw.length);
    const byType = new Map<string, number>();
    for (const e of stored) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    for (const [type, n] of byType) metrics.eventsAccepted.inc({ type }, n);
    res.status(202).json({ accepted: stored.length, token: encodePositionsToken(positions) });
  }

  return {
    app,
    registry,
    async listen(port, host = '0.0.0.0') {
      server = app.listen(port, host);
      // The deadline starts once the headers are in; a client trickling its headers is cut off by Node itself.
      server.headersTimeout = Math.max(deadlineMs, 5000);
      server.requestTimeout = 2 * deadlineMs + 1000;
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

/** The express route pattern (never the raw URL), or 'unmatched'. */
function routeOf(req: Request): string {
  return req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
}

function measure(metrics: GatewayMetrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = routeOf(req);
      metrics.requestDuration.observe({ route, method: req.method, status: String(res.statusCode) }, seconds(started));
    });
    next();
  };
}

/** An answer that is the gateway's work done (accepted or refused on its merits), not a timeout or a failed append. */
function workDone(status: number): boolean {
  return status < 500 && status !== 408 && status !== 499;
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/**
 * JSON.parse keeps the last of two equal keys in an object without a word (`"lr": "0.1", "lr": "0.2"` logs 0.2);
 * a key repeated with a different value is refused. Repeats with the same value are harmless.
 */
function conflictingKeys(text: string): ValidationProblem[] {
  return findDuplicateKeys(text)
    .filter((d) => !d.sameValue)
    .map((d) => ({
      index: d.path[0] === 'events' && typeof d.path[1] === 'number' ? d.path[1] : null,
      path: d.path.map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_]\w*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`)).join(''),
      message: `key ${JSON.stringify(d.path.at(-1))} appears more than once in this object with different values`,
    }));
}

function sortProblems(problems: ValidationProblem[]): ValidationProblem[] {
  return problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
}
