import { AuthError } from '../errors';
import type { TokenStore } from '../store';
import { hashToken, TOKEN_PATTERN } from '../tokens';

/** One TokenStore over its own freshly created, isolated storage. */
export interface TokenStoreContractSubject {
  store: TokenStore;
  /** Removes the storage (and closes what the subject opened). */
  cleanup(): Promise<void>;
}

async function authCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return err.code;
    throw err;
  }
  throw new Error('expected an AuthError, got success');
}

/**
 * The behaviour every TokenStore must have, given/when/then. Each adapter's test file calls this with a factory for
 * fresh subjects: `describeTokenStoreContract('postgres', async () => ({ store, cleanup }))`.
 */
export function describeTokenStoreContract(name: string, create: () => Promise<TokenStoreContractSubject>): void {
  describe(`TokenStore contract: ${name}`, () => {
    const open: TokenStoreContractSubject[] = [];
    const fresh = async (): Promise<TokenStore> => {
      const s = await create();
      open.push(s);
      return s.store;
    };
    afterEach(async () => {
      while (open.length > 0) await open.pop()!.cleanup();
    });

    it('given an empty store, when listed, then there are no records and no changes', async () => {
      const store = await fresh();
      expect(await store.list()).toEqual([]);
      expect((await store.changesSince(0n)).rows).toEqual([]);
    });

    it('given a create, then it returns a well-formed token once and stores only its hash', async () => {
      const store = await fresh();
      const before = Date.now();
      const { token, record } = await store.create({ principal: 'ada@lab', project: 'vision', role: 'writer', rateLimitPerSec: 50, expiresAt: 4_102_444_800_000 });
      expect(token).toMatch(TOKEN_PATTERN);
      expect(record).toEqual({
        tokenId: expect.stringMatching(/^tk_/),
        principal: 'ada@lab',
        project: 'vision',
        role: 'writer',
        rateLimitPerSec: 50,
        createdAt: expect.any(Number),
        expiresAt: 4_102_444_800_000,
        revokedAt: null,
      });
      expect(record.createdAt).toBeGreaterThanOrEqual(before - 5_000);
      expect(await store.list()).toEqual([record]);
      const { rows } = await store.changesSince(0n);
      expect(rows).toEqual([{ ...record, tokenHash: hashToken(token) }]);
      expect(JSON.stringify(await store.list())).not.toContain(token);
      expect(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(token);
    });

    it('given optional fields left out, then rate and expiry are null; a * project is accepted', async () => {
      const store = await fresh();
      const { record } = await store.create({ principal: 'root', project: '*', role: 'admin' });
      expect(record).toMatchObject({ project: '*', role: 'admin', rateLimitPerSec: null, expiresAt: null, revokedAt: null });
    });

    it('given two creates, then tokens and ids differ and list has both, oldest first', async () => {
      const store = await fresh();
      const a = await store.create({ principal: 'a', project: 'p', role: 'reader' });
      const b = await store.create({ principal: 'b', project: 'q', role: 'auditor' });
      expect(a.token).not.toBe(b.token);
      expect(a.record.tokenId).not.toBe(b.record.tokenId);
      expect((await store.list()).map((r) => r.tokenId)).toEqual([a.record.tokenId, b.record.tokenId]);
    });

    it.each([
      [{ principal: '', project: 'p', role: 'reader' }, 'principal'],
      [{ principal: '   ', project: 'p', role: 'reader' }, 'principal'],
      [{ principal: 'x'.repeat(129), project: 'p', role: 'reader' }, 'principal'],
      [{ principal: 'bad\nname', project: 'p', role: 'reader' }, 'principal'],
      [{ principal: 'a', project: '', role: 'reader' }, 'project'],
      [{ principal: 'a', project: '-p', role: 'reader' }, 'project'],
      [{ principal: 'a', project: 'p/q', role: 'reader' }, 'project'],
      [{ principal: 'a', project: 'p', role: 'owner' }, 'role'],
      [{ principal: 'a', project: 'p', role: 'reader', rateLimitPerSec: 0 }, 'rateLimitPerSec'],
      [{ principal: 'a', project: 'p', role: 'reader', rateLimitPerSec: Number.NaN }, 'rateLimitPerSec'],
      [{ principal: 'a', project: 'p', role: 'reader', expiresAt: 1.5 }, 'expiresAt'],
    ])('given invalid input %j, when created, then INVALID_ARGUMENT names %s and nothing is stored', async (input, field) => {
      const store = await fresh();
      const err = await store.create(input as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).code).toBe('INVALID_ARGUMENT');
      expect((err as AuthError).message).toContain(field);
      expect(await store.list()).toEqual([]);
    });

    it('given a token, when revoked, then revokedAt is set, list shows it and changesSince reports it incrementally', async () => {
      const store = await fresh();
      const keep = await store.create({ principal: 'keep', project: 'p', role: 'reader' });
      const gone = await store.create({ principal: 'gone', project: 'p', role: 'writer' });
      const v1 = (await store.changesSince(0n)).version;
      expect((await store.changesSince(v1)).rows).toEqual([]);

      const revoked = await store.revoke(gone.record.tokenId);
      expect(revoked).toEqual({ ...gone.record, revokedAt: expect.any(Number) });
      const after = await store.changesSince(v1);
      expect(after.version).toBeGreaterThan(v1);
      expect(after.rows).toEqual([{ ...revoked, tokenHash: hashToken(gone.token) }]);
      expect(await store.list()).toEqual([keep.record, revoked]);
    });

    it('given a revoked token, when revoked again, then it is unchanged and no new change is reported', async () => {
      const store = await fresh();
      const { record } = await store.create({ principal: 'a', project: 'p', role: 'reader' });
      const first = await store.revoke(record.tokenId);
      const v = (await store.changesSince(0n)).version;
      expect(await store.revoke(record.tokenId)).toEqual(first);
      expect((await store.changesSince(v)).rows).toEqual([]);
    });

    it('given an unknown id, when revoked, then TOKEN_NOT_FOUND', async () => {
      const store = await fresh();
      expect(await authCode(store.revoke('tk_doesnotexist0000000'))).toBe('TOKEN_NOT_FOUND');
    });

    it('given changes, then versions only grow and every change after a version is reported exactly once', async () => {
      const store = await fresh();
      const seen: string[] = [];
      let version = 0n;
      const a = await store.create({ principal: 'a', project: 'p', role: 'reader' });
      let c = await store.changesSince(version);
      seen.push(...c.rows.map((r) => `${r.tokenId}:${r.revokedAt === null ? 'live' : 'revoked'}`));
      expect(c.version).toBeGreaterThan(version);
      version = c.version;
      const b = await store.create({ principal: 'b', project: 'p', role: 'reader' });
      await store.revoke(a.record.tokenId);
      c = await store.changesSince(version);
      expect(c.version).toBeGreaterThan(version);
      seen.push(...c.rows.map((r) => `${r.tokenId}:${r.revokedAt === null ? 'live' : 'revoked'}`));
      expect(seen.sort()).toEqual([`${a.record.tokenId}:live`, `${a.record.tokenId}:revoked`, `${b.record.tokenId}:live`].sort());
      expect((await store.changesSince(c.version)).version).toBe(c.version);
    });
  });
}
