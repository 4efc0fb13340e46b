import { TokenBuckets, type Grant } from '@trackstream/auth';
import type { Request, Response } from 'express';
import type { AuthContext } from '../auth';
import { GatewayError } from '../errors';
import { authenticatorFor, authOf, authorize, checkProjects, takeRate } from './authorize';

const grant = (over: Partial<Grant> = {}): Grant => ({ tokenId: 'tk_1', principal: 'ada@lab', project: 'vision', role: 'writer', rateLimitPerSec: null, ...over });
const caught = (f: () => unknown): GatewayError => {
  try {
    f();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
};

describe('step authorize', () => {
  it('given auth off, when a request names no principal, then the context is anonymous and stored for later steps', async () => {
    const res = { locals: {} } as Response;
    const req = { get: () => undefined } as unknown as Request;
    await new Promise<void>((resolve, reject) => authorize(authenticatorFor({ mode: 'off' }))(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    expect(authOf(res)).toEqual({ principal: 'anonymous', grant: null });
  });

  it('given a step run without authorize, when the context is asked for, then it is an INTERNAL wiring error', () => {
    expect(caught(() => authOf({ locals: {} } as Response)).code).toBe('INTERNAL');
  });

  it('given a token for one project, when a batch writes to another, then FORBIDDEN names the event', () => {
    const auth: AuthContext = { principal: 'ada@lab', grant: grant() };
    expect(() => checkProjects(auth, [{ project: 'vision' }])).not.toThrow();
    const err = caught(() => checkProjects(auth, [{ project: 'vision' }, { project: 'nlp' }, { project: 'nlp' }]));
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toMatch(/events\[1\]|"nlp".*\(and 1 more\)/);
  });

  it('given a token rate of 10/s, when 25 events are taken at once twice, then the second is RATE_LIMITED with Retry-After', () => {
    const buckets = new TokenBuckets({ now: () => 0 });
    const auth: AuthContext = { principal: 'ada@lab', grant: grant({ rateLimitPerSec: 10 }) };
    const limits = { rateLimit: { perSec: 1000, burst: null }, buckets };
    takeRate(auth, 25, limits);
    const err = caught(() => takeRate(auth, 1, limits));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.extra.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(err.extra.details).toMatchObject({ limit_per_sec: 10, burst: 20 });
  });

  it('given auth off, when any number of events is taken, then nothing is limited', () => {
    expect(() => takeRate({ principal: 'anonymous', grant: null }, 1e9, null)).not.toThrow();
  });
});
