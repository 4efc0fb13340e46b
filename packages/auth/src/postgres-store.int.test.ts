import { createTestPgSchema, type TestPgSchema } from '@trackstream/testkit';
import { AuthError } from './errors';
import { DEFAULT_AUTH_SCHEMA, PostgresTokenStore } from './postgres-store';
import { describeTokenStoreContract } from './testing';
import { hashToken } from './tokens';
import { TokenValidator } from './validator';

describeTokenStoreContract('postgres', async () => {
  const db = await createTestPgSchema('authstore');
  const store = new PostgresTokenStore(db.pool, { schema: db.schema });
  await store.migrate();
  return { store, cleanup: () => db.cleanup() };
});

describe('PostgresTokenStore', () => {
  let db: TestPgSchema;
  beforeEach(async () => {
    db = await createTestPgSchema('authpg');
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it("defaults to the 'trackstream_auth' schema and refuses a schema name that needs quoting", () => {
    expect(DEFAULT_AUTH_SCHEMA).toBe('trackstream_auth');
    expect(() => new PostgresTokenStore(db.pool, { schema: 'a"; DROP TABLE x; --' })).toThrow(AuthError);
  });

  it('migrate is idempotent, also when run concurrently, and creates its own schema', async () => {
    const schema = `${db.schema}_tok`;
    const stores = [0, 1, 2].map(() => new PostgresTokenStore(db.pool, { schema }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const { record } = await stores[0]!.create({ principal: 'a', project: 'p', role: 'reader' });
      await stores[1]!.migrate();
      expect(await stores[2]!.list()).toEqual([record]);
    } finally {
      await db.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('stores the sha256 hash and never the token; token_hash is unique', async () => {
    const store = new PostgresTokenStore(db.pool, { schema: db.schema });
    await store.migrate();
    const { token, record } = await store.create({ principal: 'ada@lab', project: 'vision', role: 'auditor', rateLimitPerSec: 12.5 });
    const rows = await db.pool.query(`SELECT * FROM "${db.schema}".auth_tokens`);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].token_hash).toBe(hashToken(token));
    expect(JSON.stringify(rows.rows)).not.toContain(token.slice(4, 20));
    expect(record.rateLimitPerSec).toBe(12.5);
    await expect(
      db.pool.query(
        `INSERT INTO "${db.schema}".auth_tokens (token_id, token_hash, principal, project, role, version) VALUES ('tk_dup', $1, 'x', 'p', 'reader', 999)`,
        [hashToken(token)],
      ),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('round-trips expiry times to the millisecond', async () => {
    const store = new PostgresTokenStore(db.pool, { schema: db.schema });
    await store.migrate();
    const expiresAt = 1_764_000_000_123;
    const { record } = await store.create({ principal: 'a', project: 'p', role: 'reader', expiresAt });
    expect(record.expiresAt).toBe(expiresAt);
    expect((await store.list())[0]!.expiresAt).toBe(expiresAt);
  });

  it('a store over an unreachable or missing table fails with AUTH_UNAVAILABLE (retriable)', async () => {
    const store = new PostgresTokenStore(db.pool, { schema: db.schema }); // not migrated
    await expect(store.changesSince(0n)).rejects.toMatchObject({ code: 'AUTH_UNAVAILABLE', retriable: true });
    await expect(store.create({ principal: 'a', project: 'p', role: 'reader' })).rejects.toMatchObject({ code: 'AUTH_UNAVAILABLE' });
  });

  it('concurrent writers get distinct versions; a reader polling meanwhile sees every change exactly once', async () => {
    const store = new PostgresTokenStore(db.pool, { schema: db.schema });
    await store.migrate();
    let version = 0n;
    const seen: string[] = [];
    const poll = async () => {
      const c = await store.changesSince(version);
      expect(c.version >= version).toBe(true);
      seen.push(...c.rows.map((row) => row.tokenId));
      version = c.version;
    };
    let writing = true;
    const poller = (async () => {
      while (writing) await poll();
    })();
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => store.create({ principal: `w${i}`, project: 'p', role: 'writer' })));
    writing = false;
    await poller;
    await poll();
    expect(seen.sort()).toEqual(created.map((x) => x.record.tokenId).sort());
  });

  it('a validator in another process (own pool) sees a revocation after one refresh', async () => {
    const admin = new PostgresTokenStore(db.pool, { schema: db.schema });
    await admin.migrate();
    const { token, record } = await admin.create({ principal: 'sweep-bot', project: 'vision', role: 'writer' });
    const { Pool } = await import('pg');
    const servicePool = new Pool({ connectionString: db.url, max: 1 });
    const validator = new TokenValidator(new PostgresTokenStore(servicePool, { schema: db.schema }), { refreshMs: 60_000 });
    try {
      await validator.start();
      expect(validator.validate(token).principal).toBe('sweep-bot');
      await admin.revoke(record.tokenId);
      await validator.refresh();
      expect(() => validator.validate(token)).toThrow(expect.objectContaining({ code: 'TOKEN_REVOKED' }));
    } finally {
      validator.stop();
      await servicePool.end();
    }
  });
});
