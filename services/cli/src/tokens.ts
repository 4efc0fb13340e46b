import {
  AuthArgumentError,
  AuthError,
  TokenNotFoundError,
  canAccess,
  isActive,
  roleAllows,
  TokenValidator,
  type Capability,
  type Grant,
  type Role,
  type TokenRecord,
  type TokenStore,
} from '@trackstream/auth';
import { parseFlags, stringFlag } from './args';
import { CliError, usageError } from './errors';

/** Exit status when TRACKSTREAM_TOKEN is missing or refused, or lacks the role/project a command needs. */
export const EXIT_UNAUTHORIZED = 3;

export interface AuthContext {
  /** TRACKSTREAM_AUTH: false = local single-user, no checks. */
  enabled: boolean;
  /** TRACKSTREAM_TOKEN. */
  token: string | undefined;
  /** The token store (opened and migrated on first use). */
  store(): Promise<TokenStore>;
}

function unauthorized(code: string, message: string): CliError {
  return new CliError(code, message, { exitCode: EXIT_UNAUTHORIZED });
}

/**
 * The grant of TRACKSTREAM_TOKEN, loaded straight from the store (one query; the CLI is a short-lived process).
 * Missing/unknown/revoked/expired → exit 3; store unreachable → exit 1. Messages never contain the token.
 */
export async function currentGrant(auth: AuthContext, what: string): Promise<Grant> {
  if (auth.token === undefined || auth.token.trim() === '') {
    throw unauthorized('TOKEN_MISSING', `${what} needs a token: set TRACKSTREAM_TOKEN (auth is on; TRACKSTREAM_AUTH=off disables it for a local single-user setup)`);
  }
  const validator = new TokenValidator(await auth.store());
  try {
    await validator.start();
    return validator.validate(auth.token.trim());
  } catch (err) {
    if (err instanceof AuthError && !err.retriable) {
      throw unauthorized(err.code, `TRACKSTREAM_TOKEN refused: ${err.message}`);
    }
    throw new CliError('AUTH_UNAVAILABLE', `cannot check TRACKSTREAM_TOKEN: ${err instanceof Error ? err.message : String(err)}`, { retriable: true, cause: err });
  } finally {
    validator.stop();
  }
}

function describeGrant(g: Grant): string {
  return `token ${g.tokenId} of ${g.principal} is ${g.role} of ${g.project === '*' ? "every project ('*')" : `project ${g.project}`}`;
}

/**
 * Requires `cap` on `project` ('*' = every project). Returns the grant, or null when auth is off.
 * Refusals exit 3 with one line naming what was needed and what the token is (tokenId, principal — never the token).
 */
export async function requireCapability(auth: AuthContext, what: string, cap: Capability, project: string): Promise<Grant | null> {
  if (!auth.enabled) return null;
  const grant = await currentGrant(auth, what);
  if (!canAccess(grant, cap, project)) {
    const scope = project === '*' ? "for every project ('*')" : `for project ${project}`;
    throw unauthorized('FORBIDDEN', `${what} needs a token with the ${cap} capability ${scope} (${cap === 'audit' ? 'auditor or admin' : 'admin'}); ${describeGrant(grant)}`);
  }
  return grant;
}

/**
 * Requires the role to carry `cap` (any project): the caller then scopes what it shows to readableProjects(grant).
 * Returns null when auth is off.
 */
export async function requireRole(auth: AuthContext, what: string, cap: Capability): Promise<Grant | null> {
  if (!auth.enabled) return null;
  const grant = await currentGrant(auth, what);
  if (!roleAllows(grant.role, cap)) {
    throw unauthorized('FORBIDDEN', `${what} needs a token with the ${cap} capability (${cap === 'audit' ? 'auditor or admin' : 'admin'}); ${describeGrant(grant)}`);
  }
  return grant;
}

const DURATION = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** --expires: an ISO timestamp, or a duration from now (30s, 15m, 12h, 90d, 2w); must lie in the future. */
export function parseExpires(value: string, now: number): number {
  const d = DURATION.exec(value);
  let ms: number;
  if (d !== null) {
    ms = now + Number(d[1]) * UNIT_MS[d[2]!]!;
  } else {
    ms = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
      throw usageError(`--expires: ${JSON.stringify(value)} is neither an ISO timestamp nor a duration (30s, 15m, 12h, 90d, 2w)`);
    }
  }
  if (!Number.isSafeInteger(ms) || ms <= now) throw usageError(`--expires ${value} is not in the future`);
  return ms;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The `tokens list` table: ids and metadata, never a token or a hash. */
export function formatTokenTable(records: readonly TokenRecord[]): string[] {
  const header = ['TOKEN_ID', 'PRINCIPAL', 'PROJECT', 'ROLE', 'RATE', 'CREATED', 'EXPIRES', 'REVOKED'];
  const rows = records.map((r) => [
    r.tokenId,
    r.principal,
    r.project,
    r.role,
    r.rateLimitPerSec === null ? 'default' : String(r.rateLimitPerSec),
    isoSeconds(r.createdAt),
    r.expiresAt === null ? 'never' : isoSeconds(r.expiresAt),
    r.revokedAt === null ? '-' : isoSeconds(r.revokedAt),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

export interface TokensIo {
  out(line: string): void;
  err: { write(s: string): void };
}

/** `trackstream tokens create|list|revoke`. */
export async function tokensCommand(auth: AuthContext, args: readonly string[], io: TokensIo, now: () => number = Date.now): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create':
      return createToken(auth, rest, io, now);
    case 'list':
      return listTokens(auth, rest, io);
    case 'revoke':
      return revokeToken(auth, rest, io);
    default:
      throw usageError(sub === undefined ? 'tokens needs a subcommand: create, list or revoke' : `unknown tokens subcommand ${JSON.stringify(sub)}`);
  }
}

/** The admin grant managing tokens, or null when auth is off. Admins of one project manage that project's tokens. */
async function adminGrant(auth: AuthContext, what: string): Promise<Grant | null> {
  if (!auth.enabled) return null;
  const grant = await currentGrant(auth, what);
  if (!roleAllows(grant.role, 'admin')) throw unauthorized('FORBIDDEN', `${what} needs an admin token; ${describeGrant(grant)}`);
  return grant;
}

async function createToken(auth: AuthContext, args: readonly string[], io: TokensIo, now: () => number): Promise<number> {
  const flags = parseFlags(args, ['principal', 'project', 'role', 'rate', 'expires']);
  const principal = stringFlag(flags, 'principal');
  const project = stringFlag(flags, 'project');
  const role = stringFlag(flags, 'role');
  if (principal === undefined || project === undefined || role === undefined) throw usageError('tokens create needs --principal, --project and --role');
  const rateText = stringFlag(flags, 'rate');
  const rate = rateText === undefined ? null : Number(rateText);
  if (rateText !== undefined && (!/^\d+(\.\d+)?$/.test(rateText) || !(rate! > 0))) throw usageError('--rate needs a number of events per second > 0');
  const expiresText = stringFlag(flags, 'expires');
  const expiresAt = expiresText === undefined ? null : parseExpires(expiresText, now());

  const store = await auth.store();
  let bootstrap = false;
  if (auth.enabled) {
    const t = now();
    const anyAdmin = (await store.list()).some((r) => r.role === 'admin' && isActive(r, t));
    if (!anyAdmin && role === 'admin') {
      bootstrap = true; // the first admin: nobody could present an admin token yet
    } else {
      const grant = await adminGrant(auth, 'tokens create');
      if (!canAccess(grant!, 'admin', project)) {
        throw unauthorized('FORBIDDEN', `tokens create for ${project === '*' ? "every project ('*')" : `project ${project}`} needs an admin token of that project or of '*'; ${describeGrant(grant!)}`);
      }
    }
  }
  let created;
  try {
    created = await store.create({ principal, project, role: role as Role, rateLimitPerSec: rate, expiresAt });
  } catch (err) {
    if (err instanceof AuthArgumentError) throw usageError(err.message.replace(/^(principal|project|role|rateLimitPerSec|expiresAt)/, (f) => `--${f === 'rateLimitPerSec' ? 'rate' : f === 'expiresAt' ? 'expires' : f}`));
    throw err;
  }
  const r = created.record;
  io.out(created.token);
  io.err.write(
    `created ${r.tokenId}: ${r.principal}, ${r.role} of ${r.project === '*' ? "every project ('*')" : r.project}` +
      `${r.expiresAt === null ? '' : `, expires ${isoSeconds(r.expiresAt)}`}${bootstrap ? ' (bootstrap: no active admin token existed)' : ''}.\n` +
      `The token is printed once, above; it cannot be shown again (only its hash is stored). Keep it secret.\n`,
  );
  return 0;
}

async function listTokens(auth: AuthContext, args: readonly string[], io: TokensIo): Promise<number> {
  parseFlags(args, []);
  const grant = await adminGrant(auth, 'tokens list');
  const store = await auth.store();
  const records = (await store.list()).filter((r) => grant === null || canAccess(grant, 'admin', r.project));
  for (const l of formatTokenTable(records)) io.out(l);
  return 0;
}

async function revokeToken(auth: AuthContext, args: readonly string[], io: TokensIo): Promise<number> {
  const [tokenId, ...rest] = args;
  if (tokenId === undefined || tokenId.startsWith('--')) throw usageError('tokens revoke needs a token id (see tokens list)');
  parseFlags(rest, []);
  const grant = await adminGrant(auth, 'tokens revoke');
  const store = await auth.store();
  const notFound = () => new CliError('TOKEN_NOT_FOUND', `no token with id ${JSON.stringify(tokenId)} (see tokens list)`);
  if (grant !== null) {
    const record = (await store.list()).find((r) => r.tokenId === tokenId);
    // Another project's token is "not found" to a project admin, as if absent.
    if (record === undefined || !canAccess(grant, 'admin', record.project)) throw notFound();
  }
  let r: TokenRecord;
  try {
    r = await store.revoke(tokenId);
  } catch (err) {
    if (err instanceof TokenNotFoundError) throw notFound();
    throw err;
  }
  io.out(`revoked ${r.tokenId} (${r.principal}, ${r.role} of ${r.project}) at ${isoSeconds(r.revokedAt!)}`);
  io.err.write('Running services refuse it within TRACKSTREAM_AUTH_REFRESH_MS (default 2 s) plus one query.\n');
  return 0;
}
