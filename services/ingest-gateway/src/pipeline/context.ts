import type { Response } from 'express';
import type { TrackstreamEvent } from '@trackstream/events';
import type { Logger } from '@trackstream/telemetry';
import type { AdaptiveAdmission } from '../admission';
import type { AuthContext } from '../auth';
import type { GuardedEventLog } from '../guarded-log';
import type { GatewayMetrics } from '../metrics';
import type { CompiledGatewayOptions } from '../options';

/** What every request step shares: the compiled options and the gateway's long-lived parts. */
export interface GatewayContext {
  readonly options: CompiledGatewayOptions;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly admission: AdaptiveAdmission;
  readonly log: GuardedEventLog;
  shuttingDown(): boolean;
}

/** Where a POST is: reading its body, validating it, or appending it (the deadline answers differently in each). */
export type Phase = 'body' | 'validate' | 'append';

/** One request's state as the steps hand it on (kept in res.locals under one typed key). */
export interface Exchange {
  auth?: AuthContext;
  signal?: AbortSignal;
  phase?: Phase;
  events?: TrackstreamEvent[];
}

export function exchangeOf(res: Response): Exchange {
  const locals = res.locals as { exchange?: Exchange };
  locals.exchange ??= {};
  return locals.exchange;
}
