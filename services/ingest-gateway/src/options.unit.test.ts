import { LIMITS } from '@trackstream/events';
import { noopLogger } from '@trackstream/telemetry';
import { DEFAULT_ADMISSION } from './admission';
import { DEFAULT_BREAKER } from './guarded-log';
import { compileGatewayOptions, DEFAULT_BUDGET, DEFAULT_DEADLINE_MS, DEFAULT_RATE_LIMIT } from './options';

const base = { eventLog: {} as never, checkReady: async () => {}, logger: noopLogger };

describe('gateway options compiled once', () => {
  it('given only the required parts, then every default is filled in and the result is frozen', () => {
    const o = compileGatewayOptions(base);
    expect(o.deadlineMs).toBe(DEFAULT_DEADLINE_MS);
    expect(o.budget).toEqual(DEFAULT_BUDGET);
    expect(o.breaker).toEqual(DEFAULT_BREAKER);
    expect(o.admission).toEqual({ ...DEFAULT_ADMISSION, deadlineMs: DEFAULT_DEADLINE_MS, floorBytes: LIMITS.batchBytes });
    expect(o.auth).toEqual({ mode: 'off' });
    expect(Object.isFrozen(o) && Object.isFrozen(o.budget) && Object.isFrozen(o.admission)).toBe(true);
  });

  it('given partial overrides, then they win and the rest stays default; auth on gets its rate limit and buckets', () => {
    const o = compileGatewayOptions({ ...base, deadlineMs: 900, budget: { maxRequests: 3 }, auth: { mode: 'on', validator: { validate: () => { throw new Error(); } }, rateLimit: { burst: 5 } } });
    expect(o.budget).toEqual({ ...DEFAULT_BUDGET, maxRequests: 3 });
    expect(o.admission.deadlineMs).toBe(900);
    expect(o.auth.mode === 'on' && o.auth.rateLimit).toEqual({ perSec: DEFAULT_RATE_LIMIT.perSec, burst: 5 });
    expect(o.auth.mode === 'on' && o.auth.buckets).toBeDefined();
  });
});
