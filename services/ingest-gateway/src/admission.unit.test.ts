import { AdaptiveAdmission, type AdmissionOptions, type Admitted } from './admission';

const MiB = 1024 * 1024;
const FLOOR = 4 * MiB;
const HARD = { maxBytes: 64 * MiB, maxRequests: 256 };

/**
 * Within 10 %: the average is read right after a completion, which puts it a little above the rate
 * (by about the interval between completions over twice the window).
 */
function expectNear(actual: number, expected: number): void {
  expect(actual).toBeGreaterThan(expected * 0.9);
  expect(actual).toBeLessThan(expected * 1.1);
}

/** An admission on a hand-moved clock: deadline 5 s, half of it for the work in flight, 2 s window. */
function setup(opts: Partial<AdmissionOptions> = {}, hard = HARD) {
  let t = 1_000;
  const admission = new AdaptiveAdmission(hard, { deadlineMs: 5000, deadlineShare: 0.5, windowMs: 2000, minSampleMs: 100, floorBytes: FLOOR, now: () => t, ...opts });
  const admit = (bytes: number): Admitted => {
    const r = admission.tryAdmit(bytes);
    if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.refusal)}`);
    return r.admitted;
  };
  /** `seconds` of busy time in which `concurrency` requests of `bytes` each take `serviceMs`, back to back. */
  const run = (seconds: number, bytes: number, serviceMs: number, concurrency = 1) => {
    for (let elapsed = 0; elapsed < seconds * 1000; elapsed += serviceMs) {
      const batch = Array.from({ length: concurrency }, () => admit(bytes));
      t += serviceMs;
      for (const a of batch) a.release('completed');
    }
  };
  return { admission, admit, run, advance: (ms: number) => (t += ms) };
}

describe('AdaptiveAdmission', () => {
  it('given a cold gateway (nothing measured), when batches arrive, then a maximum-size batch gets in, and small ones up to the floor', () => {
    const { admission } = setup();
    expect(admission.bytesPerSecond()).toBe(0);
    expect(admission.limitBytes()).toBe(FLOOR);
    const big = admission.tryAdmit(FLOOR);
    expect(big.ok).toBe(true);
    expect(admission.tryAdmit(1)).toMatchObject({ ok: false, refusal: { reason: 'expected_work', limit: FLOOR } });
    if (big.ok) big.admitted.release('failed');

    const small = Array.from({ length: 16 }, () => admission.tryAdmit(FLOOR / 16));
    expect(small.every((r) => r.ok)).toBe(true);
    expect(admission.tryAdmit(1)).toEqual({ ok: false, refusal: { reason: 'expected_work', limit: expect.any(Number), bytesPerSecond: expect.any(Number) } });
  });

  it('given requests completing at a steady rate, when measured, then the rate is measured and the limit is that rate times half the deadline, up to the static limit', () => {
    const { admission, run } = setup();
    // 4 × 1 MiB every 100 ms: 40 MiB/s.
    run(10, MiB, 100, 4);
    expectNear(admission.bytesPerSecond(), 40 * MiB);
    // 40 MiB/s × 2.5 s = 100 MiB, over the static 64 MiB, so the static limit holds.
    expect(admission.limitBytes()).toBe(HARD.maxBytes);
  });

  it('given a rate whose deadline share lies between the floor and the static limit, then the limit follows it and refuses the excess as expected work', () => {
    const { admission, run, admit } = setup();
    // 1 MiB every 200 ms, two at a time: 10 MiB/s → 25 MiB in 2.5 s.
    run(10, MiB, 200, 2);
    expectNear(admission.limitBytes(), 25 * MiB);
    const held: Admitted[] = [];
    let last = admission.tryAdmit(MiB);
    for (let i = 0; last.ok && i < 100; i++, last = admission.tryAdmit(MiB)) held.push(last.admitted);
    expectNear(held.length * MiB, 25 * MiB);
    expect(last).toMatchObject({ ok: false, refusal: { reason: 'expected_work', limit: admission.limitBytes() } });
    if (!last.ok && last.refusal.reason === 'expected_work') expectNear(last.refusal.bytesPerSecond, 10 * MiB);
    for (const a of held) a.release('completed');
  });

  it('given a very slow rate, when measured, then the limit stays at the floor: one maximum-size batch still gets in', () => {
    const { admission, run, admit } = setup();
    run(10, 1024, 1000); // 1 KiB/s
    expect(admission.limitBytes()).toBe(FLOOR);
    const a = admit(FLOOR);
    expect(admission.tryAdmit(1).ok).toBe(false);
    a.release('completed');
    expect(admission.tryAdmit(1).ok).toBe(true);
  });

  it('given the static limits, then they cap the adaptive one, and a floor above the static byte limit gives way to it', () => {
    const fast = setup({}, { maxBytes: 64 * MiB, maxRequests: 3 });
    fast.run(10, MiB, 10, 3); // 300 MiB/s
    expect(fast.admission.limitBytes()).toBe(64 * MiB);
    const held = [fast.admit(1), fast.admit(1), fast.admit(1)];
    expect(fast.admission.tryAdmit(1)).toEqual({ ok: false, refusal: { reason: 'requests', limit: 3 } });
    held.forEach((a) => a.release('completed'));

    const small = setup({}, { maxBytes: MiB, maxRequests: 256 });
    expect(small.admission.limitBytes()).toBe(MiB);
    small.admit(600 * 1024);
    expect(small.admission.tryAdmit(600 * 1024)).toEqual({ ok: false, refusal: { reason: 'bytes', limit: MiB } });
  });

  it('given requests that time out instead of completing, then the rate falls and so does the limit', () => {
    const { admission, run, admit, advance } = setup();
    run(10, MiB, 200, 2);
    const before = admission.limitBytes();
    for (let i = 0; i < 5; i++) {
      const held = [admit(MiB), admit(MiB)];
      advance(1000);
      held.forEach((a) => a.release('failed'));
    }
    expect(admission.limitBytes()).toBeLessThan(before / 4);
  });

  it('given the limit pushed to the floor by an overloaded period, when load drops and requests complete quickly again, then it recovers', () => {
    const { admission, run, advance } = setup();
    run(10, MiB, 4000, 1); // 0.25 MiB/s: the floor
    expect(admission.limitBytes()).toBe(FLOOR);
    // An idle minute neither raises nor lowers it: only busy time ages the measurement.
    advance(60_000);
    expect(admission.limitBytes()).toBe(FLOOR);
    // Small batches, quickly done: 4 × 256 KiB every 50 ms = 20 MiB/s → 50 MiB in 2.5 s.
    run(10, 256 * 1024, 50, 4);
    expectNear(admission.limitBytes(), 50 * MiB);
  });

  it('given adaptive admission off, then only the static limits apply, while the rate is still measured', () => {
    const { admission, run, admit } = setup({ enabled: false });
    run(10, 1024, 1000);
    expect(admission.bytesPerSecond()).toBeGreaterThan(0);
    expect(admission.limitBytes()).toBe(HARD.maxBytes);
    const held = Array.from({ length: 32 }, () => admit(MiB));
    expect(admission.inFlightBytes).toBe(32 * MiB);
    held.forEach((a) => a.release('completed'));
    expect(admission.inFlightBytes).toBe(0);
  });

  it('given a release called twice, then the reservation and the completed bytes count once', () => {
    const { admission, admit, advance } = setup();
    const a = admit(MiB);
    advance(500);
    a.release('completed');
    const rate = admission.bytesPerSecond();
    a.release('completed');
    expect(admission.bytesPerSecond()).toBe(rate);
    expect(admission.inFlightRequests).toBe(0);
  });
});
