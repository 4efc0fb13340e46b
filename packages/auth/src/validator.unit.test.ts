import type { Logger, LogFields } from '@trackstream/telemetry';
import { AuthError, deniedWho } from './errors';
import { InMemoryTokenStore, type TokenStore } from './store';
import { TokenValidator } from './validator';

/** A store that counts calls and can be made to fail. */
class CountingStore implements TokenStore {
  calls = { create: 0, list: 0, revoke: 0, changesSince: 0 };
  failing = false;
  constructor(readonly inner: InMemoryTokenStore) {}
  create(input: Parameters<TokenStore['create']>[0]) {
    this.calls.create++;
    return this.inner.create(input);
  }
  list() {
    this.calls.list++;
    return this.inner.list();
  }
  revoke(id: string) {
    this.calls.revoke++;
    return this.inner.revoke(id);
  }
  async changesSince(v: bigint) {
    this.calls.changesSince++;
    if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return this.inner.changesSince(v);
  }
}

function recordingLogger(lines: Array<{ level: string; msg: string; fields?: LogFields }>): Logger {
  const log = (level: string) => (msg: string, fields?: LogFields) => void lines.push({ level, msg, fields });
  const l: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => l };
  return l;
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof AuthError) return e.code;
    throw e;
  }
  return 'OK';
}

function errorOf(f: () => unknown): AuthError {
  try {
    f();
  } catch (e) {
    if (e instanceof AuthError) return e;
    throw e;
  }
  throw new Error('expected an AuthError');
}

describe('TokenValidator', () => {
  let now: number;
  let store: CountingStore;
  let validator: TokenValidator;
  const lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];

  beforeEach(() => {
    now = 1_000_000;
    lines.length = 0;
    store = new CountingStore(new InMemoryTokenStore({ now: () => now }));
    validator = new TokenValidator(store, { refreshMs: 2000, maxStaleMs: 60_000, now: () => now, logger: recordingLogger(lines) });
  });
  afterEach(() => validator.stop());

  it('given a created token, after start it validates to its grant', async () => {
    const { token, record } = await store.create({ principal: 'ada@lab', project: 'vision', role: 'writer', rateLimitPerSec: 5 });
    await validator.start();
    expect(validator.validate(token)).toEqual({ tokenId: record.tokenId, principal: 'ada@lab', project: 'vision', role: 'writer', rateLimitPerSec: 5 });
  });

  it('validate never calls the store: only refreshes do', async () => {
    const { token } = await store.create({ principal: 'a', project: 'p', role: 'reader' });
    await validator.start();
    const after = { ...store.calls };
    for (let i = 0; i < 1000; i++) validator.validate(token);
    for (let i = 0; i < 100; i++) codeOf(() => validator.validate('tsk_unknown'));
    expect(store.calls).toEqual(after);
    expect(store.calls.changesSince).toBe(1);
  });

  it('before start (nothing loaded) it fails closed', () => {
    expect(codeOf(() => validator.validate('tsk_x'))).toBe('AUTH_UNAVAILABLE');
  });

  it('an unknown token is TOKEN_UNKNOWN', async () => {
    await store.create({ principal: 'a', project: 'p', role: 'reader' });
    await validator.start();
    expect(codeOf(() => validator.validate('tsk_' + 'A'.repeat(43)))).toBe('TOKEN_UNKNOWN');
  });

  it('a token created after start becomes valid after one refresh', async () => {
    await validator.start();
    const { token } = await store.create({ principal: 'late', project: 'p', role: 'reader' });
    expect(codeOf(() => validator.validate(token))).toBe('TOKEN_UNKNOWN');
    await validator.refresh();
    expect(validator.validate(token).principal).toBe('late');
  });

  it('revocation becomes visible after one refresh, and the refresh is incremental', async () => {
    const { token, record } = await store.create({ principal: 'a', project: 'p', role: 'reader' });
    const other = await store.create({ principal: 'b', project: 'p', role: 'reader' });
    await validator.start();
    const versionBefore = validator.status().version;
    await store.revoke(record.tokenId);
    expect(codeOf(() => validator.validate(token))).toBe('OK'); // not yet refreshed: the bounded staleness
    const spy = jest.spyOn(store.inner, 'changesSince');
    await validator.refresh();
    expect(spy).toHaveBeenCalledWith(versionBefore);
    expect(codeOf(() => validator.validate(token))).toBe('TOKEN_REVOKED');
    let denied: unknown;
    try {
      validator.validate(token);
    } catch (err) {
      denied = err;
    }
    // The denial log names whose token it was, never the token itself.
    expect(deniedWho(denied as AuthError)).toEqual({ tokenId: record.tokenId, principal: 'a', detail: expect.not.stringContaining(token) });
    expect(validator.validate(other.token).principal).toBe('b');
    expect(validator.status().records).toBe(2);
  });

  it('expired tokens are rejected once the clock passes expiresAt, without a refresh', async () => {
    const { token } = await store.create({ principal: 'a', project: 'p', role: 'reader', expiresAt: now + 10_000 });
    await validator.start();
    now += 9_999;
    expect(codeOf(() => validator.validate(token))).toBe('OK');
    now += 1;
    expect(codeOf(() => validator.validate(token))).toBe('TOKEN_EXPIRED');
  });

  it('failed refreshes serve the cache until maxStaleMs, then fail closed, and recover on the next success', async () => {
    const { token } = await store.create({ principal: 'a', project: 'p', role: 'reader' });
    await validator.start();
    store.failing = true;
    now += 30_000;
    await validator.refresh();
    expect(validator.status().consecutiveFailures).toBe(1);
    expect(codeOf(() => validator.validate(token))).toBe('OK');
    now += 30_000; // exactly maxStaleMs since the last success: still served
    await validator.refresh();
    expect(codeOf(() => validator.validate(token))).toBe('OK');
    now += 1;
    const err = errorOf(() => validator.validate(token));
    expect(err.code).toBe('AUTH_UNAVAILABLE');
    expect(err.retriable).toBe(true);
    expect(lines.filter((l) => l.level === 'warn' && /refresh failed/.test(l.msg))).toHaveLength(2);

    store.failing = false;
    await validator.refresh();
    expect(codeOf(() => validator.validate(token))).toBe('OK');
    expect(validator.status().consecutiveFailures).toBe(0);
  });

  it('a first load that fails rejects start with AUTH_UNAVAILABLE; the timer keeps trying', async () => {
    jest.useFakeTimers();
    try {
      const { token } = await store.create({ principal: 'a', project: 'p', role: 'reader' });
      store.failing = true;
      await expect(validator.start()).rejects.toMatchObject({ code: 'AUTH_UNAVAILABLE', message: expect.stringMatching(/first load of tokens failed: connect ECONNREFUSED/) });
      expect(codeOf(() => validator.validate(token))).toBe('AUTH_UNAVAILABLE');
      store.failing = false;
      await jest.advanceTimersByTimeAsync(2000);
      expect(store.calls.changesSince).toBe(2);
      expect(codeOf(() => validator.validate(token))).toBe('OK');
    } finally {
      validator.stop();
      jest.useRealTimers();
    }
  });

  it('the timer refreshes every refreshMs after start and stops on stop()', async () => {
    jest.useFakeTimers();
    try {
      const { token, record } = await store.create({ principal: 'a', project: 'p', role: 'reader' });
      await validator.start();
      await store.revoke(record.tokenId);
      await jest.advanceTimersByTimeAsync(1999);
      expect(codeOf(() => validator.validate(token))).toBe('OK');
      await jest.advanceTimersByTimeAsync(1);
      expect(codeOf(() => validator.validate(token))).toBe('TOKEN_REVOKED');
      await jest.advanceTimersByTimeAsync(4000);
      expect(store.calls.changesSince).toBe(4);
      validator.stop();
      await jest.advanceTimersByTimeAsync(10_000);
      expect(store.calls.changesSince).toBe(4);
    } finally {
      jest.useRealTimers();
    }
  });

  it('stop() then start() while a timed refresh is in flight leaves one refresh loop, not two', async () => {
    jest.useFakeTimers();
    try {
      await validator.start();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const original = store.changesSince.bind(store);
      jest.spyOn(store, 'changesSince').mockImplementationOnce(async (v) => {
        await gate;
        return original(v);
      });
      await jest.advanceTimersByTimeAsync(2000); // the timed refresh starts and waits on the gate
      validator.stop();
      const restarted = validator.start(); // shares the in-flight refresh
      release();
      await restarted;
      const calls = () => (store.changesSince as jest.Mock).mock.calls.length;
      const before = calls();
      await jest.advanceTimersByTimeAsync(2000 * 5);
      expect(calls() - before).toBe(5);
    } finally {
      validator.stop();
      jest.useRealTimers();
    }
  });

  it('concurrent refreshes share one query', async () => {
    await validator.start();
    await Promise.all([validator.refresh(), validator.refresh(), validator.refresh()]);
    expect(store.calls.changesSince).toBe(2);
  });

  it('no error message or log line ever contains a token', async () => {
    const live = await store.create({ principal: 'a', project: 'p', role: 'reader', expiresAt: now + 1 });
    const revoked = await store.create({ principal: 'b', project: 'p', role: 'reader' });
    await store.revoke(revoked.record.tokenId);
    const unknown = 'tsk_' + 'Z'.repeat(43);
    await validator.start();
    now += 1;
    const messages: string[] = [];
    for (const t of [live.token, revoked.token, unknown]) {
      const e = errorOf(() => validator.validate(t));
      messages.push(e.message, String(e.stack));
    }
    store.failing = true;
    await validator.refresh();
    now += 120_000;
    messages.push(errorOf(() => validator.validate(live.token)).message);
    messages.push(JSON.stringify(lines));
    const all = messages.join('\n');
    expect(all).toContain(revoked.record.tokenId); // ids are fine, and prove the messages were checked
    for (const t of [live.token, revoked.token, unknown]) {
      expect(all).not.toContain(t.slice(4, 14));
      expect(all).not.toContain(t.slice(-10));
    }
  });

  it('rejects nonsensical options', () => {
    expect(() => new TokenValidator(store, { refreshMs: 0 })).toThrow(AuthError);
    expect(() => new TokenValidator(store, { maxStaleMs: Number.NaN })).toThrow(/maxStaleMs/);
  });
});
