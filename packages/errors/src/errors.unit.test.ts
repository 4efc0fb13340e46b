import { TrackstreamError, isRetriable } from '@trackstream/errors';

class Flaky extends TrackstreamError {
  readonly code = 'FLAKY';
  readonly retriable = true;
}
class Broken extends TrackstreamError {
  readonly code = 'BROKEN';
  readonly retriable = false;
}

describe('TrackstreamError', () => {
  it('is an Error with a code and retriable flag', () => {
    const e = new Flaky('try again');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(TrackstreamError);
    expect(e.message).toBe('try again');
    expect(e.code).toBe('FLAKY');
  });
  it('isRetriable reads the flag and refuses anything else', () => {
    expect(isRetriable(new Flaky('x'))).toBe(true);
    expect(isRetriable(new Broken('x'))).toBe(false);
    expect(isRetriable(new Error('x'))).toBe(false);
    expect(isRetriable({ code: 'X', retriable: true })).toBe(false);
  });
});
