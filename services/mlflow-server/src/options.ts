import { randomUUID } from 'node:crypto';
import { LIMITS } from '@trackstream/events';
import type { EventLog } from '@trackstream/kafka';
import type { ReadModel } from '@trackstream/read-model';
import type { Logger } from '@trackstream/telemetry';
import type { MlflowAuth } from './auth';
import type { ExtraRoute } from './extra-route';

/** What the composition root hands the server. */
export interface MlflowServerOptions {
  eventLog: EventLog;
  /** Every read of the projections. */
  readModel: ReadModel;
  logger: Logger;
  auth: MlflowAuth;
  /** Project when auth is off. Default `default`. */
  project?: string;
  /** Bound of the read-your-writes wait of every write. Default 10,000 ms. */
  readYourWritesWaitMs?: number;
  /** How often a waiting write reads the projections' checkpoints (concurrent waits share each read). Default 20 ms: a tuning knob for bench/, not yet measured. */
  visibilityPollMs?: number;
  /** Seconds in Retry-After when that bound runs out or the log is unavailable. Default 1. */
  retryAfterSeconds?: number;
  /** Largest request body. Default the gateway's batch limit (4 MiB). */
  maxBodyBytes?: number;
  /** More routes by path prefix (the artifact proxy `/api/2.0/mlflow-artifacts/` goes here). */
  extraRoutes?: readonly ExtraRoute[];
  version?: string;
  now?: () => number;
  uuid?: () => string;
}

export type CompiledOptions = Readonly<Required<Omit<MlflowServerOptions, 'extraRoutes'>> & { extraRoutes: readonly ExtraRoute[] }>;

/** Defaults in one place; the result is frozen. */
export function compileOptions(o: MlflowServerOptions): CompiledOptions {
  return Object.freeze({
    eventLog: o.eventLog,
    readModel: o.readModel,
    logger: o.logger,
    auth: o.auth,
    project: o.project ?? 'default',
    readYourWritesWaitMs: o.readYourWritesWaitMs ?? 10_000,
    visibilityPollMs: o.visibilityPollMs ?? 20,
    retryAfterSeconds: o.retryAfterSeconds ?? 1,
    maxBodyBytes: o.maxBodyBytes ?? LIMITS.batchBytes,
    extraRoutes: Object.freeze([...(o.extraRoutes ?? [])]),
    version: o.version ?? '3.17.2',
    now: o.now ?? Date.now,
    uuid: o.uuid ?? randomUUID,
  });
}
