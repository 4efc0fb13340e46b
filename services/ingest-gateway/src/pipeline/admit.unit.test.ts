import { LIMITS } from '@trackstream/events';
import { GatewayError } from '../errors';
import { checkHead, overloaded, workDone } from './admit';

const caught = (f: () => unknown): GatewayError => {
  try {
    f();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
};

describe('step admit', () => {
  it('given a JSON body with a declared length, then that many bytes are reserved', () => {
    expect(checkHead({ isJson: true, contentType: 'application/json', contentLength: '1234' })).toEqual({ reserveBytes: 1234 });
  });

  it.each([undefined, 'abc', '-1', '1e400'])('given a declared length of %p (chunked or unusable), then the most a body may be is reserved', (contentLength) => {
    expect(checkHead({ isJson: true, contentType: 'application/json', contentLength })).toEqual({ reserveBytes: LIMITS.batchBytes });
  });

  it('given no body at all, then it is let through (answered later as empty)', () => {
    expect(checkHead({ isJson: null, contentType: undefined, contentLength: undefined }).reserveBytes).toBe(LIMITS.batchBytes);
  });

  it('given another media type, then 415 naming it', () => {
    const err = caught(() => checkHead({ isJson: false, contentType: 'text/plain', contentLength: '2' }));
    expect([err.code, err.status]).toEqual(['UNSUPPORTED_MEDIA_TYPE', 415]);
    expect(err.message).toMatch(/text\/plain/);
  });

  it('given a declared length over the limit, then 413 before any byte is read', () => {
    const err = caught(() => checkHead({ isJson: true, contentType: 'application/json', contentLength: String(LIMITS.batchBytes + 1) }));
    expect([err.code, err.status]).toEqual(['PAYLOAD_TOO_LARGE', 413]);
  });

  it('given each refusal, then 429 OVERLOADED says which limit and is retriable', () => {
    const inFlight = { requests: 3, bytes: 900 };
    const work = overloaded({ reason: 'expected_work', limit: 1000, bytesPerSecond: 2000.4 }, inFlight, 5000);
    expect([work.code, work.status, work.retriable]).toEqual(['OVERLOADED', 429, true]);
    expect(work.message).toMatch(/2000 request bytes\/s.*at most 1000 bytes/);
    expect(work.extra.details).toEqual({ reason: 'EXPECTED_WORK', limit: 1000 });
    expect(overloaded({ reason: 'requests', limit: 3 }, inFlight, 5000).extra.details).toEqual({ reason: 'INFLIGHT_REQUESTS', limit: 3 });
    expect(overloaded({ reason: 'bytes', limit: 10 }, inFlight, 5000).message).toMatch(/in-flight limit of 10 bytes/);
  });

  it('workDone: answers on the merits count towards the measured rate; timeouts, closes and failures do not', () => {
    expect([202, 400, 413, 429].map(workDone)).toEqual([true, true, true, true]);
    expect([408, 499, 500, 503].map(workDone)).toEqual([false, false, false, false]);
  });
});
