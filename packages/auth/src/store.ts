import { authError } from './errors';
import { validateExpiresAt, validatePrincipal, validateProject, validateRateLimit, validateRole, type Role } from './roles';
import { generateToken, generateTokenId, hashToken } from './tokens';

export interface TokenRecord {
  /** Public short id ('tk_…'), shown by list, used by revoke, safe to log. */
  tokenId: string;
  /** Who: e.g. 'ada@lab', 'sweep-bot'; goes into events' `principal`, logs, audit. */
  principal: string;
  /** A project name, or '*' (admins / cross-project auditors). */
  project: string;
  role: Role;
  /** Gateway events/s budget override; null = service default. */
  rateLimitPerSec: number | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface CreateTokenInput {
  principal: string;
  project: string;
  role: Role;
  rateLimitPerSec?: number | null;
  expiresAt?: number | null;
}

export type TokenChange = TokenRecord & { tokenHash: string };

/** Port: where token records live. Adapters: InMemoryTokenStore, PostgresTokenStore. Contract: describeTokenStoreContract. */
export interface TokenStore {
  /** Validates the input (AuthError('INVALID_ARGUMENT') naming the field); returns the token, the only time it exists. */
  create(input: CreateTokenInput): Promise<{ token: string; record: TokenRecord }>;
  /** Every record, revoked and expired included, oldest first. */
  list(): Promise<TokenRecord[]>;
  /** Marks the token revoked (idempotent: a revoked token keeps its first revokedAt). AuthError('TOKEN_NOT_FOUND') if unknown. */
  revoke(tokenId: string): Promise<TokenRecord>;
  /**
   * Every record changed after `version` (monotonic), for the cache's incremental refresh. `version` of the answer
   * is the one to pass next time (0n for a full load); revocations are changes too.
   */
  changesSince(version: bigint): Promise<{ version: bigint; rows: TokenChange[] }>;
}

/** Checks and normalises a create() input; shared by every adapter so they reject the same things. */
export function validateCreateInput(input: CreateTokenInput): Required<CreateTokenInput> {
  if (input === null || typeof input !== 'object') throw authError('INVALID_ARGUMENT', 'token input must be an object');
  return {
    principal: validatePrincipal(input.principal),
    project: validateProject(input.project),
    role: validateRole(input.role),
    rateLimitPerSec: validateRateLimit(input.rateLimitPerSec),
    expiresAt: validateExpiresAt(input.expiresAt),
  };
}

/** Is this record usable at `now` (not revoked, not expired)? */
export function isActive(record: TokenRecord, now: number): boolean {
  return record.revokedAt === null && (record.expiresAt === null || record.expiresAt > now);
}

/** For unit tests and as the contract suite's control. Keeps hashes only, like every store. */
export class InMemoryTokenStore implements TokenStore {
  private readonly rows = new Map<string, { record: TokenRecord; tokenHash: string; version: bigint }>();
  private version = 0n;
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  async create(input: CreateTokenInput): Promise<{ token: string; record: TokenRecord }> {
    const v = validateCreateInput(input);
    const token = generateToken();
    const record: TokenRecord = { tokenId: generateTokenId(), ...v, createdAt: this.now(), revokedAt: null };
    this.rows.set(record.tokenId, { record, tokenHash: hashToken(token), version: ++this.version });
    return { token, record: { ...record } };
  }

  async list(): Promise<TokenRecord[]> {
    return [...this.rows.values()].map((r) => ({ ...r.record }));
  }

  async revoke(tokenId: string): Promise<TokenRecord> {
    const row = this.rows.get(tokenId);
    if (row === undefined) throw authError('TOKEN_NOT_FOUND', `no token with id ${JSON.stringify(tokenId)}`);
    if (row.record.revokedAt === null) {
      row.record = { ...row.record, revokedAt: this.now() };
      row.version = ++this.version;
    }
    return { ...row.record };
  }

  async changesSince(version: bigint): Promise<{ version: bigint; rows: TokenChange[] }> {
    const rows = [...this.rows.values()].filter((r) => r.version > version).sort((a, b) => (a.version < b.version ? -1 : 1));
    const last = rows.length > 0 ? rows[rows.length - 1]!.version : version;
    return { version: last, rows: rows.map((r) => ({ ...r.record, tokenHash: r.tokenHash })) };
  }
}
