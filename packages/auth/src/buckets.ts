import { authError } from './errors';

interface Bucket {
  tokens: number;
  last: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Token buckets, one per key (the tokenId): each holds up to `burst` units and refills at `ratePerSec`.
 * take() passes when the bucket holds n units. A request larger than the whole burst passes when the bucket is
 * full and leaves it in debt (negative), so a big batch is never refused forever but still pays its full cost.
 * At most `maxKeys` buckets are kept (least recently used first out; an evicted key starts full again).
 */
export class TokenBuckets {
  private readonly now: () => number;
  private readonly maxKeys: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(opts: { now?: () => number; maxKeys?: number } = {}) {
    this.now = opts.now ?? Date.now;
    this.maxKeys = opts.maxKeys ?? 100_000;
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw authError('INVALID_ARGUMENT', 'maxKeys must be an integer >= 1');
  }

  take(key: string, n: number, ratePerSec: number, burst: number): TakeResult {
    if (!Number.isFinite(n) || n < 0) throw authError('INVALID_ARGUMENT', 'n must be a number >= 0');
    if (!Number.isFinite(ratePerSec) || ratePerSec <= 0) throw authError('INVALID_ARGUMENT', 'ratePerSec must be a number > 0');
    if (!Number.isFinite(burst) || burst <= 0) throw authError('INVALID_ARGUMENT', 'burst must be a number > 0');
    const now = this.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { tokens: burst, last: now };
    } else {
      this.buckets.delete(key); // re-inserted below: Map order is the LRU order
      const elapsed = Math.max(0, now - b.last);
      b.tokens = Math.min(burst, b.tokens + (elapsed * ratePerSec) / 1000);
      b.last = now;
    }
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);

    const needed = Math.min(n, burst);
    if (b.tokens >= needed) {
      b.tokens -= n;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(((needed - b.tokens) * 1000) / ratePerSec)) };
  }

  /** Buckets currently kept. */
  get size(): number {
    return this.buckets.size;
  }
}
