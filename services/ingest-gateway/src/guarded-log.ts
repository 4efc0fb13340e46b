import CircuitBreaker from 'opossum';
import type { LogPositions, StoredEvent } from '@trackstream/events';
import { EventLogError, EventLogRejectedError, type EventLog } from '@trackstream/kafka';
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

/** Failures that say nothing about the log's health (the client left; the records themselves were refused): they must not open the circuit. */
function notAnOutage(err: unknown): boolean {
  return err instanceof EventLogRejectedError || (err instanceof GatewayError && err.code === 'CLIENT_CLOSED_REQUEST');
}

/** opossum's rejection of a call made while the circuit is open (its documented `code`; opossum has no error class). */
const OPEN_CIRCUIT = 'EOPENBREAKER';

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
      errorFilter: notAnOutage,
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
    if ((err as { code?: unknown }).code === OPEN_CIRCUIT) {
      return new GatewayError('LOG_UNAVAILABLE', 'the event log is unavailable (circuit open); retry later', { retryAfterSeconds: this.retryAfterSeconds() });
    }
    if (err instanceof EventLogRejectedError) return new GatewayError('LOG_REJECTED', `Kafka refused the records: ${err.message}`, { cause: err });
    // Unavailable, timed out or closed: the log could not take the batch now; the client retries.
    if (err instanceof EventLogError) {
      return new GatewayError('LOG_UNAVAILABLE', `the event log did not accept the batch: ${err.message}`, {
        retryAfterSeconds: this.retryAfterSeconds(),
        cause: err,
      });
    }
    return err;
  }
}
