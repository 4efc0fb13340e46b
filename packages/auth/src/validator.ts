import { noopLogger, type Logger } from '@trackstream/telemetry';
import { authError } from './errors';
import type { Grant } from './roles';
import type { TokenChange, TokenStore } from './store';
import { hashToken } from './tokens';

export interface TokenValidatorOptions {
  /** Background refresh period (default 2000 ms): the revocation bound is this plus one query. */
  refreshMs?: number;
  /** After this long without a successful refresh (default 60000 ms) validate() fails closed: AUTH_UNAVAILABLE. */
  maxStaleMs?: number;
  logger?: Logger;
  now?: () => number;
}

export interface TokenValidatorStatus {
  loaded: boolean;
  version: bigint;
  /** When the last successful refresh finished (validator clock), null before the first. */
  lastRefreshAt: number | null;
  consecutiveFailures: number;
  records: number;
}

/**
 * Validates tokens from an in-process cache refreshed every `refreshMs` in the background: no database round trip
 * per request. The cache is keyed by sha256(token), so validate() is one hash and one Map lookup. Revocation and
 * creation are visible within refreshMs (+ one query). If refreshes keep failing past `maxStaleMs` it fails closed:
 * AuthError('AUTH_UNAVAILABLE'), until a refresh succeeds again.
 */
export class TokenValidator {
  private readonly refreshMs: number;
  private readonly maxStaleMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly byHash = new Map<string, TokenChange>();
  private readonly hashById = new Map<string, string>();
  private version = 0n;
  private lastRefreshAt: number | null = null;
  private consecutiveFailures = 0;
  private lastError: unknown = undefined;
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly store: TokenStore,
    opts: TokenValidatorOptions = {},
  ) {
    this.refreshMs = positive(opts.refreshMs ?? 2000, 'refreshMs');
    this.maxStaleMs = positive(opts.maxStaleMs ?? 60_000, 'maxStaleMs');
    this.logger = opts.logger ?? noopLogger;
    this.now = opts.now ?? Date.now;
  }

  /**
   * First load, then the refresh timer (unref'd). Rejects with AUTH_UNAVAILABLE if the first load fails; the timer
   * runs in either case, so a caller that keeps going serves AUTH_UNAVAILABLE until a refresh succeeds.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.refresh();
    } finally {
      this.schedule();
    }
    if (this.lastRefreshAt === null) {
      throw authError('AUTH_UNAVAILABLE', `token store unavailable: the first load of tokens failed: ${messageOf(this.lastError)}`, { cause: this.lastError });
    }
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * One incremental refresh now (what the timer runs). Never rejects: a failure is logged and counted, and the cache
   * keeps its last state until maxStaleMs. Concurrent calls share one query.
   */
  refresh(): Promise<void> {
    if (this.inFlight === null) {
      this.inFlight = this.doRefresh().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** Grant for this token, or throws AuthError('TOKEN_UNKNOWN' | 'TOKEN_REVOKED' | 'TOKEN_EXPIRED' | 'AUTH_UNAVAILABLE'). */
  validate(token: string): Grant {
    const now = this.now();
    if (this.lastRefreshAt === null) {
      throw authError('AUTH_UNAVAILABLE', 'tokens are not loaded yet (token store unavailable)');
    }
    if (now - this.lastRefreshAt > this.maxStaleMs) {
      throw authError('AUTH_UNAVAILABLE', `token store unavailable: tokens not refreshed for ${now - this.lastRefreshAt} ms`);
    }
    const row = typeof token === 'string' ? this.byHash.get(hashToken(token)) : undefined;
    if (row === undefined) throw authError('TOKEN_UNKNOWN', 'unknown token');
    if (row.revokedAt !== null) {
      throw authError('TOKEN_REVOKED', `token ${row.tokenId} of ${row.principal} was revoked`, { tokenId: row.tokenId, principal: row.principal });
    }
    if (row.expiresAt !== null && row.expiresAt <= now) {
      throw authError('TOKEN_EXPIRED', `token ${row.tokenId} of ${row.principal} expired`, { tokenId: row.tokenId, principal: row.principal });
    }
    return { tokenId: row.tokenId, principal: row.principal, project: row.project, role: row.role, rateLimitPerSec: row.rateLimitPerSec };
  }

  status(): TokenValidatorStatus {
    return {
      loaded: this.lastRefreshAt !== null,
      version: this.version,
      lastRefreshAt: this.lastRefreshAt,
      consecutiveFailures: this.consecutiveFailures,
      records: this.byHash.size,
    };
  }

  private async doRefresh(): Promise<void> {
    try {
      const { version, rows } = await this.store.changesSince(this.version);
      for (const row of rows) {
        const previous = this.hashById.get(row.tokenId);
        if (previous !== undefined && previous !== row.tokenHash) this.byHash.delete(previous);
        this.byHash.set(row.tokenHash, { ...row });
        this.hashById.set(row.tokenId, row.tokenHash);
      }
      if (version > this.version) this.version = version;
      if (this.consecutiveFailures > 0) {
        this.logger.info('token refresh recovered', { failures: this.consecutiveFailures, version: this.version });
      }
      this.consecutiveFailures = 0;
      this.lastError = undefined;
      this.lastRefreshAt = this.now();
    } catch (err) {
      this.consecutiveFailures += 1;
      this.lastError = err;
      this.logger.warn('token refresh failed; serving cached tokens until maxStaleMs', {
        failures: this.consecutiveFailures,
        lastRefreshAt: this.lastRefreshAt,
        maxStaleMs: this.maxStaleMs,
        error: messageOf(err),
      });
    }
  }

  private schedule(): void {
    if (!this.running) return;
    // One pending timer at most, also when stop() + start() happen while a timed refresh is in flight.
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.refresh().then(() => this.schedule());
    }, this.refreshMs);
    this.timer.unref();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw authError('INVALID_ARGUMENT', `${name} must be a number > 0`);
  return value;
}
