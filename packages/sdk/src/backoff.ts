export interface BackoffOptions {
  /** First retry waits up to this long (ms). */
  baseMs: number;
  /** No wait is longer than this (ms), except what the server asks for with Retry-After. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000 };

/**
 * Exponential backoff with "full jitter" (AWS architecture blog): a uniform wait in [0, min(max, base·2^n)].
 * Jitter spreads hundreds of sweep workers that failed together so they do not return together. A server's
 * Retry-After is a floor: waiting less would only earn another 429.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, retryAfterMs: number | null = null, random: () => number = Math.random): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const jittered = Math.floor(random() * cap);
  if (retryAfterMs === null || retryAfterMs === undefined) return jittered;
  // A little spread above the floor too, so everyone told "1 s" does not come back on the same millisecond.
  const floor = retryAfterMs + Math.floor(random() * Math.min(1000, Math.max(50, retryAfterMs / 10)));
  return Math.max(floor, jittered);
}

/** Retry-After is either delta-seconds or an HTTP date. Returns ms to wait, or null when absent/garbage. */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | null {
  if (value === undefined || value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, 3_600_000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, Math.min(t - now, 3_600_000));
}
