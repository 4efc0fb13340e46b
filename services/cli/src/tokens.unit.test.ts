import { InMemoryTokenStore, type TokenRecord } from '@trackstream/auth';
import { CliError } from './errors';
import { formatTokenTable, parseExpires, requireCapability, requireRole, tokensCommand, type AuthContext } from './tokens';

describe('parseExpires', () => {
  const now = Date.UTC(2026, 11, 3, 10, 0, 0);
  it('reads durations from now and ISO timestamps', () => {
    expect(parseExpires('30s', now)).toBe(now + 30_000);
    expect(parseExpires('15m', now)).toBe(now + 900_000);
    expect(parseExpires('12h', now)).toBe(now + 43_200_000);
    expect(parseExpires('90d', now)).toBe(now + 90 * 86_400_000);
    expect(parseExpires('2w', now)).toBe(now + 14 * 86_400_000);
    expect(parseExpires('2027-01-01T00:00:00Z', now)).toBe(Date.UTC(2027, 0, 1));
  });
  it('refuses garbage, zero and the past as usage errors', () => {
    for (const v of ['soon', '10x', '-5m', '0s', '2001-01-01', '1.5h']) {
      expect(() => parseExpires(v, now)).toThrow(CliError);
      try {
        parseExpires(v, now);
      } catch (e) {
        expect((e as CliError).exitCode).toBe(2);
      }
    }
  });
});

describe('formatTokenTable', () => {
  it('aligns the columns and shows defaults readably', () => {
    const r: TokenRecord = {
      tokenId: 'tk_AAAAAAAAAAAAAAAA', principal: 'ada@lab', project: '*', role: 'admin', rateLimitPerSec: null,
      createdAt: Date.UTC(2026, 11, 3, 10, 0, 0, 123), expiresAt: null, revokedAt: null,
    };
    const s: TokenRecord = { ...r, tokenId: 'tk_BBBBBBBBBBBBBBBB', principal: 'sweep-bot-with-long-name', project: 'vision', role: 'writer', rateLimitPerSec: 500, expiresAt: Date.UTC(2027, 0, 1), revokedAt: Date.UTC(2026, 11, 4) };
    const lines = formatTokenTable([r, s]);
    expect(lines).toEqual([
      'TOKEN_ID             PRINCIPAL                 PROJECT  ROLE    RATE     CREATED               EXPIRES               REVOKED',
      'tk_AAAAAAAAAAAAAAAA  ada@lab                   *        admin   default  2026-12-03T10:00:00Z  never                 -',
      'tk_BBBBBBBBBBBBBBBB  sweep-bot-with-long-name  vision   writer  500      2026-12-03T10:00:00Z  2027-01-01T00:00:00Z  2026-12-04T00:00:00Z',
    ]);
  });
});

describe('access checks', () => {
  const ctx = (store: InMemoryTokenStore, token: string | undefined, enabled = true): AuthContext => ({ enabled, token, store: async () => store });
  const exit = async (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof CliError ? e.exitCode : -1));

  it('auth off: no token needed, no grant', async () => {
    const store = new InMemoryTokenStore();
    expect(await requireCapability(ctx(store, undefined, false), 'replay', 'audit', '*')).toBeNull();
    expect(await requireRole(ctx(store, undefined, false), 'export', 'audit')).toBeNull();
  });

  it('auth on: missing, unknown and insufficient tokens exit 3; the right one passes', async () => {
    const store = new InMemoryTokenStore();
    const reader = await store.create({ principal: 'r', project: 'a', role: 'reader' });
    const auditorA = await store.create({ principal: 'au', project: 'a', role: 'auditor' });
    const auditorAll = await store.create({ principal: 'all', project: '*', role: 'auditor' });
    expect(await exit(requireRole(ctx(store, undefined), 'export', 'audit'))).toBe(3);
    expect(await exit(requireRole(ctx(store, 'tsk_nope'), 'export', 'audit'))).toBe(3);
    expect(await exit(requireRole(ctx(store, reader.token), 'export', 'audit'))).toBe(3);
    expect((await requireRole(ctx(store, auditorA.token), 'export', 'audit'))!.project).toBe('a');
    expect(await exit(requireCapability(ctx(store, auditorA.token), 'replay', 'audit', '*'))).toBe(3);
    expect((await requireCapability(ctx(store, auditorAll.token), 'replay', 'audit', '*'))!.principal).toBe('all');
  });

  it('a store that cannot be read is a failure (exit 1), not a refusal', async () => {
    const store = new InMemoryTokenStore();
    const { token } = await store.create({ principal: 'a', project: '*', role: 'admin' });
    jest.spyOn(store, 'changesSince').mockRejectedValue(new Error('connect ECONNREFUSED'));
    const err = await requireRole(ctx(store, token), 'export', 'audit').catch((e: unknown) => e as CliError);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(1);
    expect((err as CliError).message).toMatch(/cannot check TRACKSTREAM_TOKEN: .*ECONNREFUSED/);
  });

  it('tokens with auth off: create and list work without any token', async () => {
    const store = new InMemoryTokenStore();
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: { write: () => undefined } };
    expect(await tokensCommand(ctx(store, undefined, false), ['create', '--principal', 'p', '--project', 'x', '--role', 'writer'], io)).toBe(0);
    expect(await tokensCommand(ctx(store, undefined, false), ['list'], io)).toBe(0);
    expect(out).toHaveLength(3);
  });
});
