import { GatewayError, errorBody, toGatewayError, validationFailed, type GatewayErrorCode } from './errors';

describe('gateway errors', () => {
  it.each<[GatewayErrorCode, number, boolean]>([
    ['MALFORMED_JSON', 400, false],
    ['VALIDATION_FAILED', 400, false],
    ['PAYLOAD_TOO_LARGE', 413, false],
    ['TOO_MANY_EVENTS', 400, false],
    ['UNSUPPORTED_MEDIA_TYPE', 415, false],
    ['OVERLOADED', 429, true],
    ['LOG_UNAVAILABLE', 503, true],
    ['DEADLINE_EXCEEDED', 503, true],
    ['REQUEST_TIMEOUT', 408, true],
    ['UNAUTHENTICATED', 401, false],
    ['FORBIDDEN', 403, false],
    ['RATE_LIMITED', 429, true],
    ['AUTH_UNAVAILABLE', 503, true],
  ])('given code %s, then status %i and retriable %s', (code, status, retriable) => {
    const e = new GatewayError(code, 'm');
    expect(e.status).toBe(status);
    expect(e.retriable).toBe(retriable);
  });

  it('given validation problems, when turned into a body, then every problem is listed and the message names the first', () => {
    const problems = [
      { index: 0, path: 'events[0].event_id', message: 'must be a UUID' },
      { index: 2, path: 'events[2].run_id', message: 'is required' },
    ];
    const body = errorBody(validationFailed(problems));
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain('events[0].event_id: must be a UUID (and 1 more)');
    expect(body.error.details).toEqual({ problems });
  });

  it('given body-parser errors, when converted, then they keep their meaning; anything else is INTERNAL', () => {
    expect(toGatewayError(Object.assign(new Error('too big'), { type: 'entity.too.large', limit: 10 })).code).toBe('PAYLOAD_TOO_LARGE');
    expect(toGatewayError(Object.assign(new Error('gone'), { type: 'request.aborted' })).code).toBe('CLIENT_CLOSED_REQUEST');
    expect(toGatewayError(Object.assign(new Error('x'), { type: 'encoding.unsupported' })).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const internal = toGatewayError(new TypeError('undefined is not a function'));
    expect(internal.code).toBe('INTERNAL');
    // Internal details stay in the logs, not in the answer.
    expect(errorBody(internal).error.message).toBe('internal error');
  });
});
