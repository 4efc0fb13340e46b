import { InFlightBudget } from './budget';

describe('InFlightBudget', () => {
  it('given room, when reserving, then bytes and requests are counted until released', () => {
    const b = new InFlightBudget({ maxBytes: 100, maxRequests: 5 });
    const r = b.tryReserve(40)!;
    expect(b.inFlightBytes).toBe(40);
    expect(b.inFlightRequests).toBe(1);
    r.release();
    r.release();
    expect(b.inFlightBytes).toBe(0);
    expect(b.inFlightRequests).toBe(0);
  });

  it('given the byte budget nearly spent, when a request would overspend it, then it is refused', () => {
    const b = new InFlightBudget({ maxBytes: 100, maxRequests: 5 });
    expect(b.tryReserve(60)).not.toBeNull();
    expect(b.tryReserve(41)).toBeNull();
    expect(b.tryReserve(40)).not.toBeNull();
  });

  it('given the request budget spent, when another arrives, then it is refused until one is released', () => {
    const b = new InFlightBudget({ maxBytes: 1000, maxRequests: 2 });
    const first = b.tryReserve(1)!;
    b.tryReserve(1);
    expect(b.tryReserve(1)).toBeNull();
    first.release();
    expect(b.tryReserve(1)).not.toBeNull();
  });

  it('given an idle gateway, when one request is larger than the byte budget, then it still gets through alone', () => {
    const b = new InFlightBudget({ maxBytes: 10, maxRequests: 2 });
    expect(b.tryReserve(50)).not.toBeNull();
    expect(b.tryReserve(1)).toBeNull();
  });
});
