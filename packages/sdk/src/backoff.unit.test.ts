import { backoffDelay, parseRetryAfter } from './backoff';
import { classify } from './transport';

describe('backoff', () => {
  const opts = { baseMs: 100, maxMs: 5000 };

  it('grows exponentially, capped, with full jitter', () => {
    expect(backoffDelay(0, opts, null, () => 0.999)).toBe(99);
    expect(backoffDelay(3, opts, null, () => 0.999)).toBe(799);
    expect(backoffDelay(20, opts, null, () => 0.999)).toBe(4995);
    expect(backoffDelay(20, opts, null, () => 0)).toBe(0);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(5, opts)));
    expect(spread.size).toBeGreaterThan(10);
  });

  it('never waits less than Retry-After', () => {
    for (let i = 0; i < 100; i++) expect(backoffDelay(0, opts, 2000)).toBeGreaterThanOrEqual(2000);
    expect(backoffDelay(0, opts, 2000, () => 0)).toBe(2000);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});

describe('response classification', () => {
  it('maps the gateway statuses to what the SDK does next', () => {
    expect(classify(202, '{"accepted":3,"token":"t"}', null)).toEqual({ kind: 'accepted', accepted: 3, token: 't' });
    expect(classify(429, '', '2')).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 2000 });
    // 401/403: refused for good, with the gateway's code and reason; a non-JSON body is not quoted.
    expect(classify(401, '{"error":{"code":"UNAUTHENTICATED","message":"the API token was revoked","retriable":false,"details":{"reason":"TOKEN_REVOKED"}}}', null)).toEqual({
      kind: 'denied',
      status: 401,
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_REVOKED',
      message: 'the API token was revoked',
    });
    expect(classify(403, '<html>nope</html>', null)).toEqual({ kind: 'denied', status: 403, code: 'FORBIDDEN', reason: null, message: 'HTTP 403' });
    // A rate-limited token is retried after Retry-After, like the in-flight budget's 429.
    expect(classify(429, '{"error":{"code":"RATE_LIMITED","retriable":true}}', '3')).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 3000 });
    expect(classify(503, '', null)).toMatchObject({ kind: 'retry', status: 503, retryAfterMs: null });
    expect(classify(413, '', null)).toEqual({ kind: 'too_large' });
    const body = JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: 'm', retriable: false, details: { problems: [{ index: 2, path: 'events[2].payload', message: 'bad' }] } } });
    expect(classify(400, body, null)).toEqual({ kind: 'rejected', status: 400, problems: [{ index: 2, path: 'events[2].payload', message: 'bad' }] });
    expect(classify(400, '{"error":{"message":"not JSON"}}', null)).toMatchObject({ kind: 'rejected', problems: [{ index: null, message: 'not JSON' }] });
  });
});
