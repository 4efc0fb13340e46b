import { DEFAULT_AUTH_PG_SCHEMA, PG_NAME_PATTERN } from '@trackstream/config';
import type { Pool, PoolClient } from 'pg';
import { AuthError, authError } from './errors';
import { isRole, ROLES, type Role } from './roles';
import { validateCreateInput, type CreateTokenInput, type TokenChange, type TokenRecord, type TokenStore } from './store';
import { generateToken, generateTokenId, hashToken } from './tokens';

/**
 * Where tokens live by default: their own schema, never the projection schema (`trackstream replay --switch`
 * renames projection schemas; tokens must not move with them).
 */
export const DEFAULT_AUTH_SCHEMA: string = DEFAULT_AUTH_PG_SCHEMA;
const SCHEMA_PATTERN = PG_NAME_PATTERN;

export interface PostgresTokenStoreOptions {
  /** Default 'trackstream_auth'. Letters, digits and underscores. */
  schema?: string;
}

interface Row {
  token_id: string;
  token_hash: string;
  principal: string;
  project: string;
  role: string;
  rate_limit_per_sec: number | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  version: string;
}

const COLUMNS = 'token_id, token_hash, principal, project, role, rate_limit_per_sec, created_at, expires_at, revoked_at, version';

/**
 * TokenStore over `<schema>.auth_tokens`. Every insert and update takes the next value of
 * `<schema>.auth_tokens_version_seq` as the row's `version`, so changesSince(v) = rows with version > v, revocations
 * included. Writers hold a self-conflicting table lock (SHARE ROW EXCLUSIVE; plain reads are not blocked) from
 * nextval to commit: versions become visible in increasing order, so a reader can never see version n+1 before n
 * and then skip n forever. Writes are rare (token management), so the serialisation costs nothing that matters.
 * The pool is the caller's; the store never closes it.
 */
export class PostgresTokenStore implements TokenStore {
  private readonly schema: string;
  private readonly table: string;
  private readonly seq: string;

  constructor(
    private readonly pool: Pool,
    opts: PostgresTokenStoreOptions = {},
  ) {
    const schema = opts.schema ?? DEFAULT_AUTH_SCHEMA;
    if (!SCHEMA_PATTERN.test(schema)) throw authError('INVALID_ARGUMENT', `schema must match ${SCHEMA_PATTERN.source}`);
    this.schema = schema;
    this.table = `"${schema}".auth_tokens`;
    this.seq = `"${schema}".auth_tokens_version_seq`;
  }

  /** Idempotent DDL; safe to run from several processes at once (serialised by an advisory lock). */
  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`trackstream_auth_migrate:${this.schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await c.query(`CREATE SEQUENCE IF NOT EXISTS ${this.seq}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        token_id text PRIMARY KEY,
        token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        principal text NOT NULL CHECK (length(principal) BETWEEN 1 AND 128),
        project text NOT NULL,
        role text NOT NULL CHECK (role IN (${ROLES.map((r) => `'${r}'`).join(', ')})),
        rate_limit_per_sec double precision CHECK (rate_limit_per_sec > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        version bigint NOT NULL
      )`);
      await c.query(`CREATE INDEX IF NOT EXISTS auth_tokens_version_idx ON ${this.table} (version)`);
    });
  }

  async create(input: CreateTokenInput): Promise<{ token: string; record: TokenRecord }> {
    const v = validateCreateInput(input);
    const token = generateToken();
    const row = await this.tx(async (c) => {
      await this.lock(c);
      const r = await c.query<Row>(
        `INSERT INTO ${this.table} (token_id, token_hash, principal, project, role, rate_limit_per_sec, expires_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, nextval('${this.seq}')) RETURNING ${COLUMNS}`,
        [generateTokenId(), hashToken(token), v.principal, v.project, v.role, v.rateLimitPerSec, v.expiresAt === null ? null : new Date(v.expiresAt)],
      );
      return r.rows[0]!;
    });
    return { token, record: toRecord(row) };
  }

  async list(): Promise<TokenRecord[]> {
    const r = await this.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} ORDER BY created_at, version`);
    return r.rows.map(toRecord);
  }

  async revoke(tokenId: string): Promise<TokenRecord> {
    const row = await this.tx(async (c) => {
      await this.lock(c);
      const updated = await c.query<Row>(
        `UPDATE ${this.table} SET revoked_at = now(), version = nextval('${this.seq}')
         WHERE token_id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
        [tokenId],
      );
      if (updated.rows[0] !== undefined) return updated.rows[0];
      const existing = await c.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE token_id = $1`, [tokenId]);
      return existing.rows[0];
    });
    if (row === undefined) throw authError('TOKEN_NOT_FOUND', `no token with id ${JSON.stringify(tokenId)}`);
    return toRecord(row);
  }

  async changesSince(version: bigint): Promise<{ version: bigint; rows: TokenChange[] }> {
    const r = await this.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE version > $1::bigint ORDER BY version`, [version.toString()]);
    const last = r.rows[r.rows.length - 1];
    return {
      version: last === undefined ? version : BigInt(last.version),
      rows: r.rows.map((row) => ({ ...toRecord(row), tokenHash: row.token_hash })),
    };
  }

  private async lock(c: PoolClient): Promise<void> {
    await c.query(`LOCK TABLE ${this.table} IN SHARE ROW EXCLUSIVE MODE`);
  }

  private async query<R extends object>(sql: string, params: unknown[] = []) {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw unavailable(err);
    }
  }

  private async tx<T>(f: (c: PoolClient) => Promise<T>): Promise<T> {
    let c: PoolClient;
    try {
      c = await this.pool.connect();
    } catch (err) {
      throw unavailable(err);
    }
    try {
      await c.query('BEGIN');
      const out = await f(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw unavailable(err);
    } finally {
      c.release();
    }
  }
}

function unavailable(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  // Queries bind every value as a parameter and pg does not echo parameters in its messages: no token here.
  const message = err instanceof Error ? err.message : String(err);
  return authError('AUTH_UNAVAILABLE', `token store (postgres) failed: ${message}`, { cause: err });
}

function toRecord(row: Row): TokenRecord {
  const role: Role = isRole(row.role) ? row.role : (() => { throw authError('AUTH_UNAVAILABLE', `token ${row.token_id} has an unknown role`); })();
  return {
    tokenId: row.token_id,
    principal: row.principal,
    project: row.project,
    role,
    rateLimitPerSec: row.rate_limit_per_sec === null ? null : Number(row.rate_limit_per_sec),
    createdAt: row.created_at.getTime(),
    expiresAt: row.expires_at === null ? null : row.expires_at.getTime(),
    revokedAt: row.revoked_at === null ? null : row.revoked_at.getTime(),
  };
}
