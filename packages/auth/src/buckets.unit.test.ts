import { AuthError } from './errors';
import { TokenBuckets } from './buckets';

describe('TokenBuckets', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 10_000;
  });

  it('a new key starts full: burst passes, the next unit is refused with the time to refill it', () => {
    const b = new TokenBuckets({ now: clock });
    expect(b.take('t1', 20, 10, 20)).toEqual({ ok: true });
    expect(b.take('t1', 1, 10, 20)).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it('refills at ratePerSec, capped at burst', () => {
    const b = new TokenBuckets({ now: clock });
    b.take('t', 20, 10, 20);
    now += 500; // 5 units
    expect(b.take('t', 5, 10, 20)).toEqual({ ok: true });
    expect(b.take('t', 1, 10, 20).ok).toBe(false);
    now += 60_000;
    expect(b.take('t', 20, 10, 20)).toEqual({ ok: true });
    expect(b.take('t', 1, 10, 20).ok).toBe(false);
  });

  it('keys are independent: one spent bucket does not affect another', () => {
    const b = new TokenBuckets({ now: clock });
    expect(b.take('runaway', 100, 100, 100).ok).toBe(true);
    expect(b.take('runaway', 1, 100, 100).ok).toBe(false);
    expect(b.take('other', 100, 100, 100)).toEqual({ ok: true });
  });

  it('a refused take consumes nothing', () => {
    const b = new TokenBuckets({ now: clock });
    b.take('t', 10, 10, 10);
    now += 500;
    expect(b.take('t', 6, 10, 10)).toEqual({ ok: false, retryAfterMs: 100 });
    expect(b.take('t', 5, 10, 10)).toEqual({ ok: true });
  });

  it('a request larger than the burst passes on a full bucket and leaves a debt', () => {
    const b = new TokenBuckets({ now: clock });
    expect(b.take('t', 1000, 10, 20)).toEqual({ ok: true });
    const r = b.take('t', 1, 10, 20);
    expect(r).toEqual({ ok: false, retryAfterMs: 98_100 }); // 980 units of debt + 1, at 10/s
    const big = b.take('t', 1000, 10, 20);
    expect(big.ok).toBe(false);
    now += 100_000;
    expect(b.take('t', 1000, 10, 20)).toEqual({ ok: true });
  });

  it('retryAfterMs is at least 1', () => {
    const b = new TokenBuckets({ now: clock });
    b.take('t', 1, 1e6, 1);
    const r = b.take('t', 1, 1e6, 1);
    expect(r).toEqual({ ok: false, retryAfterMs: 1 });
  });

  it('keeps at most maxKeys buckets, dropping the least recently used', () => {
    const b = new TokenBuckets({ now: clock, maxKeys: 2 });
    b.take('a', 1, 1, 1);
    b.take('b', 1, 1, 1);
    b.take('a', 0, 1, 1); // a is now the most recently used
    b.take('c', 1, 1, 1); // evicts b
    expect(b.size).toBe(2);
    expect(b.take('a', 1, 1, 1).ok).toBe(false); // a kept its state
    expect(b.take('b', 1, 1, 1).ok).toBe(true); // b started over
  });

  it('rejects nonsensical arguments', () => {
    const b = new TokenBuckets({ now: clock });
    expect(() => b.take('t', -1, 1, 1)).toThrow(AuthError);
    expect(() => b.take('t', 1, 0, 1)).toThrow(/ratePerSec/);
    expect(() => b.take('t', 1, 1, Number.NaN)).toThrow(/burst/);
    expect(() => new TokenBuckets({ maxKeys: 0 })).toThrow(/maxKeys/);
  });
});
