import CircuitBreaker from 'opossum';
import type { LogPositions, StoredEvent } from '@trackstream/events';
import type { EventLog } from '@trackstream/kafka';
import type { Logger } from '@trackstream/telemetry';
import { GatewayError } from './errors';
import type { BreakerState } from './metrics';

export interface BreakerOptions {
  /** How long the circuit stays open before one trial append may pass (ms). Also the 503's Retry-After. */
  resetTimeoutMs: number;
  /** Failure share within the rolling window that opens the circuit. */
  errorThresholdPercentage: number;
  /** Appends within the window before the share counts at all. */
  volumeThreshold: number;
  rollingWindowMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { resetTimeoutMs: 2000, errorThresholdPercentage: 50, volumeThreshold: 3, rollingWindowMs: 10_000 };

/** Codes of failures that say nothing about the log's health, so they must not open the circuit. */
const NOT_AN_OUTAGE = new Set(['CLIENT_CLOSED_REQUEST', 'LOG_REJECTED']);

/**
 * The event log behind a circuit breaker. While Kafka fails, appends fail fast with LOG_UNAVAILABLE and a
 * Retry-After instead of each waiting out its deadline; after resetTimeoutMs one append is let through as a trial,
 * and its success closes the circuit: recovery needs no restart.
 */
export class GuardedEventLog {
  private readonly breaker: CircuitBreaker<[readonly StoredEvent[], AbortSignal], LogPositions>;
  private openedAt = 0;

  constructor(
    log: EventLog,
    private readonly opts: BreakerOptions,
    logger: Logger,
  ) {
    this.breaker = new CircuitBreaker((events: readonly StoredEvent[], signal: AbortSignal) => log.append(events, { signal }), {
      // Deadlines are the request's business (an AbortSignal), not a second clock here.
      timeout: false,
      resetTimeout: opts.resetTimeoutMs,
      errorThresholdPercentage: opts.errorThresholdPercentage,
      volumeThreshold: opts.volumeThreshold,
      rollingCountTimeout: opts.rollingWindowMs,
      errorFilter: (err: unknown) => NOT_AN_OUTAGE.has((err as { code?: string }).code ?? ''),
    });
    this.breaker.on('open', () => {
      this.openedAt = Date.now();
      logger.warn('circuit open: the event log is failing; answering 503 until a trial append succeeds', { resetTimeoutMs: opts.resetTimeoutMs });
    });
    this.breaker.on('halfOpen', () => logger.info('circuit half-open: the next append is a trial'));
    this.breaker.on('close', () => logger.info('circuit closed: the event log accepts appends again'));
  }

  state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half_open';
    return 'closed';
  }

  /** Seconds a client should wait before retrying after a log failure. */
  retryAfterSeconds(): number {
    const remaining = this.breaker.opened ? this.openedAt + this.opts.resetTimeoutMs - Date.now() : this.opts.resetTimeoutMs;
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  async append(events: readonly StoredEvent[], signal: AbortSignal): Promise<LogPositions> {
    try {
      return await this.breaker.fire(events, signal);
    } catch (err) {
      throw this.translate(err);
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private translate(err: unknown): unknown {
    if (err instanceof GatewayError) return err;
    const code = (err as { code?: string }).code;
    if (code === 'EOPENBREAKER') {
      return new GatewayError('LOG_UNAVAILABLE', 'the event log is unavailable (circuit open); retry later', { retryAfterSeconds: this.retryAfterSeconds() });
    }
    if (code === 'LOG_UNAVAILABLE' || code === 'LOG_TIMEOUT' || code === 'LOG_CLOSED') {
      return new GatewayError('LOG_UNAVAILABLE', `the event log did not accept the batch: ${(err as Error).message}`, {
        retryAfterSeconds: this.retryAfterSeconds(),
        cause: err,
      });
    }
    if (code === 'LOG_REJECTED') return new GatewayError('LOG_REJECTED', `Kafka refused the records: ${(err as Error).message}`, { cause: err });
    return err;
  }
}
