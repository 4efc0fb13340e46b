import type { Registry } from 'prom-client';
import { LIMITS } from '@trackstream/events';
import type { EventLog } from '@trackstream/kafka';
import type { Logger } from '@trackstream/telemetry';
import { TokenBuckets, type TokenValidator } from '@trackstream/auth';
import type { CollabTargetDirectory } from './pipeline/targets';
import { DEFAULT_ADMISSION, type AdmissionOptions } from './admission';
import type { BudgetLimits } from './budget';
import { DEFAULT_BREAKER, type BreakerOptions } from './guarded-log';

export interface GatewayOptions {
  eventLog: EventLog;
  /** Readiness: resolves when the log's store answers, rejects otherwise. */
  checkReady: () => Promise<void>;
  logger: Logger;
  registry?: Registry;
  /**
   * Access control. Default `{mode: 'off'}` (a library default: the composition root, main.ts, defaults to on):
   * principal from X-Trackstream-Principal or 'anonymous', every project writable.
   */
  auth?: GatewayAuth;
  /** In-flight budget; defaults 64 MiB and 256 requests. Hard caps, whatever adaptive admission measures. */
  budget?: Partial<BudgetLimits>;
  /**
   * Admission by expected work (admission.ts): in-flight bytes capped at the measured completion rate × a share of
   * the deadline, never below one maximum-size batch. `enabled: false` admits by `budget` alone. For tests: `now`.
   */
  admission?: Partial<Omit<AdmissionOptions, 'deadlineMs' | 'floorBytes'>>;
  /** Every POST is answered within this many ms. Default 5000. */
  deadlineMs?: number;
  breaker?: Partial<BreakerOptions>;
  /**
   * Where the targets of collaboration events (notes, annotations, stars, pins, views) are looked up before they are
   * appended (pipeline/targets.ts). Default null (a library default; main.ts wires the Postgres projection):
   * targets are not checked.
   */
  targets?: CollabTargetDirectory | null;
}

export type GatewayAuth =
  | { mode: 'off' }
  | {
      mode: 'on';
      /** Validates bearer tokens from its cache (TokenValidator, started by the caller). */
      validator: Pick<TokenValidator, 'validate'>;
      /** Events per second per token (a token's rateLimitPerSec overrides it) and bucket size. */
      rateLimit?: Partial<RateLimit>;
      /** For tests: buckets with their own clock. */
      buckets?: TokenBuckets;
    };

export interface RateLimit {
  perSec: number;
  /** Bucket size; null = twice the token's rate. */
  burst: number | null;
}

export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ perSec: 20_000, burst: null });
export const DEFAULT_BUDGET: BudgetLimits = Object.freeze({ maxBytes: 64 * 1024 * 1024, maxRequests: 256 });
export const DEFAULT_DEADLINE_MS = 5000;

/** Access control with every default filled in. */
export type CompiledAuth =
  | { readonly mode: 'off' }
  | { readonly mode: 'on'; readonly validator: Pick<TokenValidator, 'validate'>; readonly rateLimit: Readonly<RateLimit>; readonly buckets: TokenBuckets };

/** GatewayOptions after defaults: what every step reads; nothing below the edge applies a default again. */
export interface CompiledGatewayOptions {
  readonly eventLog: EventLog;
  readonly checkReady: () => Promise<void>;
  readonly logger: Logger;
  readonly registry: Registry | null;
  readonly auth: CompiledAuth;
  readonly budget: Readonly<BudgetLimits>;
  readonly admission: Readonly<AdmissionOptions>;
  readonly deadlineMs: number;
  readonly breaker: Readonly<BreakerOptions>;
  readonly targets: CollabTargetDirectory | null;
}

/** Raw options → defaults → one frozen object (compiled once, in createGateway). */
export function compileGatewayOptions(raw: GatewayOptions): CompiledGatewayOptions {
  const deadlineMs = raw.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const auth = raw.auth ?? { mode: 'off' };
  return Object.freeze({
    eventLog: raw.eventLog,
    checkReady: raw.checkReady,
    logger: raw.logger,
    registry: raw.registry ?? null,
    auth: Object.freeze(
      auth.mode === 'on'
        ? { mode: 'on' as const, validator: auth.validator, rateLimit: Object.freeze({ ...DEFAULT_RATE_LIMIT, ...auth.rateLimit }), buckets: auth.buckets ?? new TokenBuckets() }
        : { mode: 'off' as const },
    ),
    budget: Object.freeze({ ...DEFAULT_BUDGET, ...raw.budget }),
    // The floor is one maximum-size batch: whatever was measured, the gateway can always take the largest request.
    admission: Object.freeze({ ...DEFAULT_ADMISSION, ...raw.admission, deadlineMs, floorBytes: LIMITS.batchBytes }),
    deadlineMs,
    breaker: Object.freeze({ ...DEFAULT_BREAKER, ...raw.breaker }),
    targets: raw.targets ?? null,
  });
}
