import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const noJitter = () => 0;

  it('given successive attempts, when computed, then the delay doubles from the initial value', () => {
    const opts = { initialMs: 100, maxMs: 10_000 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts, noJitter))).toEqual([100, 200, 400, 800]);
  });

  it('given many attempts, when computed, then the delay stays at the maximum', () => {
    expect(backoffDelay(50, { initialMs: 100, maxMs: 5_000 }, noJitter)).toBe(5_000);
  });

  it('given full jitter, when computed, then at most 20% is taken off', () => {
    expect(backoffDelay(1, { initialMs: 1_000, maxMs: 5_000 }, () => 1)).toBe(800);
  });
});
