import { compileClientOptions, SDK_DEFAULTS } from './options';
import { InvalidArgumentError } from './errors';

describe('compileClientOptions', () => {
  it('applies every default once and freezes the result', () => {
    const o = compileClientOptions({ project: 'p', url: 'http://gw.invalid' });
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.backoff)).toBe(true);
    expect(o.flushIntervalMs).toBe(SDK_DEFAULTS.flushIntervalMs);
    expect(o.backpressure).toBe('block');
    expect(o.compression).toBe('gzip');
    expect(o.finishTimeoutMs).toBe(30_000);
    expect(o.maxAttemptsPerBatch).toBe(8);
    expect(o.exitHooks && o.recoverSpools && o.captureContext && o.fsync && o.redactSecretParams).toBe(true);
    expect(o.transport).toBeNull();
  });

  it('keeps what the caller gave and caps flushPoints at what 50 events carry', () => {
    const o = compileClientOptions({ project: 'p', offline: true, flushPoints: 10_000_000, retry: { baseMs: 5 }, exitHooks: false, backpressure: 'drop' });
    expect(o.url).toBeNull();
    expect(o.flushPoints).toBe(50_000);
    expect(o.backoff).toEqual({ baseMs: 5, maxMs: SDK_DEFAULTS.backoff.maxMs });
    expect(o.exitHooks).toBe(false);
    expect(o.backpressure).toBe('drop');
  });

  it.each([
    [{ project: 'p' }, 'url'],
    [{ project: 'p', offline: true, flushIntervalMs: 0 }, 'flushIntervalMs'],
    [{ project: 'p', offline: true, backpressure: 'later' }, 'backpressure'],
    [{ project: 'p', offline: true, token: 'a b' }, 'token'],
  ])('refuses %j naming %s', (raw, argument) => {
    let err: unknown;
    try {
      compileClientOptions(raw as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain(argument);
  });
});
