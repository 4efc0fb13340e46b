import { InFlightBudget, type BudgetLimits } from './budget';

/**
 * Admission by expected work (issue 8). The static budget (InFlightBudget) says how much the gateway may hold, not
 * how much it can finish before its deadline: on a small or busy machine it admits more than it can read, validate
 * and append in time, and the excess ends as 408/503 instead of a fast 429. So the gateway measures the body bytes
 * it actually completes per second while it has work in flight, and admits new bytes only while everything in flight
 * would be done within a share of the deadline at that rate. The static limits stay as hard caps.
 *
 * Pure: no timers, no I/O; time comes from the injected clock.
 */
export interface AdmissionOptions {
  /** Every request is answered within this many ms. */
  deadlineMs: number;
  /**
   * Share of the deadline the work in flight should take at the measured rate. Default 0.5: the other half is slack
   * for the request admitted last, a GC pause, a client that writes its body slowly.
   */
  deadlineShare: number;
  /**
   * The adaptive limit never goes below this many bytes, so a cold or idle gateway (nothing measured, or a low rate
   * from a quiet period) still takes a maximum-size batch and any number of small ones that fit.
   */
  floorBytes: number;
  /**
   * Time constant of the throughput average, in ms of busy time (time with at least one request in flight). Idle
   * time does not age it: a quiet gateway keeps what it last measured.
   */
  windowMs: number;
  /**
   * The least busy time (ms) the average is taken over. Without it the first request to finish within a
   * millisecond would suggest an unbounded rate.
   */
  minSampleMs: number;
  /** false: measure but admit by the static budget alone (TRACKSTREAM_GATEWAY_ADAPTIVE_ADMISSION=off). */
  enabled: boolean;
  /** Monotonic milliseconds. */
  now: () => number;
}

export const DEFAULT_ADMISSION: Omit<AdmissionOptions, 'deadlineMs' | 'floorBytes'> = {
  deadlineShare: 0.5,
  windowMs: 2000,
  minSampleMs: 100,
  enabled: true,
  now: () => performance.now(),
};

/** How a request admitted earlier ended: `completed` (answered, the work done) or not (timed out, failed, abandoned). */
export type Outcome = 'completed' | 'failed';

export interface Admitted {
  readonly bytes: number;
  /** Returns the reservation; a completed request counts towards the measured rate. Calling it again does nothing. */
  release(outcome: Outcome): void;
}

export type Refusal =
  /** Over the static request or byte limit (TRACKSTREAM_GATEWAY_MAX_INFLIGHT_*). */
  | { reason: 'requests' | 'bytes'; limit: number }
  /** Over the adaptive limit: what is in flight would not finish within the deadline's share at the measured rate. */
  | { reason: 'expected_work'; limit: number; bytesPerSecond: number };

export type AdmissionResult = { ok: true; admitted: Admitted } | { ok: false; refusal: Refusal };

export class AdaptiveAdmission {
  private readonly budget: InFlightBudget;
  private readonly opts: AdmissionOptions;
  /** Completed bytes, each weighted e^(-busy time since it completed / window), over the window: bytes per ms. */
  private decayedRate = 0;
  /** The same weighting of the busy time seen so far (1 once long busy): corrects the average's start from zero. */
  private coverage = 0;
  private folded: number;

  constructor(hard: BudgetLimits, opts: Partial<AdmissionOptions> & Pick<AdmissionOptions, 'deadlineMs' | 'floorBytes'>) {
    this.budget = new InFlightBudget(hard);
    this.opts = { ...DEFAULT_ADMISSION, ...opts };
    this.folded = this.opts.now();
  }

  get limits(): BudgetLimits {
    return this.budget.limits;
  }

  get inFlightBytes(): number {
    return this.budget.inFlightBytes;
  }

  get inFlightRequests(): number {
    return this.budget.inFlightRequests;
  }

  /** Body bytes completed per second while busy; 0 until something completed. */
  bytesPerSecond(): number {
    this.fold();
    const minCoverage = 1 - Math.exp(-this.opts.minSampleMs / this.opts.windowMs);
    return (this.decayedRate / Math.max(this.coverage, minCoverage)) * 1000;
  }

  /**
   * The byte limit in force: the measured rate times the deadline's share, between the floor and the static limit.
   * With adaptive admission off, the static limit.
   */
  limitBytes(): number {
    const hard = this.budget.limits.maxBytes;
    if (!this.opts.enabled) return hard;
    const expected = (this.bytesPerSecond() * this.opts.deadlineMs * this.opts.deadlineShare) / 1000;
    return Math.min(hard, Math.max(this.opts.floorBytes, Math.floor(expected)));
  }

  tryAdmit(bytes: number): AdmissionResult {
    const { maxRequests, maxBytes } = this.budget.limits;
    const busy = this.budget.inFlightRequests > 0;
    if (this.budget.inFlightRequests >= maxRequests) return { ok: false, refusal: { reason: 'requests', limit: maxRequests } };
    // As with the static budget, one request alone always gets in: the limits bound concurrency, not batch size.
    if (busy && this.budget.inFlightBytes + bytes > maxBytes) return { ok: false, refusal: { reason: 'bytes', limit: maxBytes } };
    const limit = this.limitBytes();
    if (busy && this.budget.inFlightBytes + bytes > limit) {
      return { ok: false, refusal: { reason: 'expected_work', limit, bytesPerSecond: this.bytesPerSecond() } };
    }
    this.fold(); // the busy period (if any) up to now counted before the in-flight count changes
    const reservation = this.budget.tryReserve(bytes);
    if (!reservation) return { ok: false, refusal: { reason: 'bytes', limit: maxBytes } };
    let released = false;
    return {
      ok: true,
      admitted: {
        bytes,
        release: (outcome) => {
          if (released) return;
          released = true;
          this.fold();
          // An impulse of bytes/window; with completions at r bytes/ms the decayed sum settles at r.
          if (outcome === 'completed') this.decayedRate += bytes / this.opts.windowMs;
          reservation.release();
        },
      },
    };
  }

  /** Ages the average by the busy time since the last fold. Idle time (nothing in flight) leaves it as it was. */
  private fold(): void {
    const now = this.opts.now();
    const elapsed = Math.max(0, now - this.folded);
    this.folded = now;
    if (elapsed === 0 || this.budget.inFlightRequests === 0) return;
    const keep = Math.exp(-elapsed / this.opts.windowMs);
    this.decayedRate *= keep;
    this.coverage = this.coverage * keep + (1 - keep);
  }
}
