import type { LogPositions, StoredEvent } from '@trackstream/events';

export interface AppendOptions {
  /** Aborting stops the caller's wait; records not yet sent are withdrawn, records already sent may still land. */
  signal?: AbortSignal;
}

/**
 * The append-only event log (port). `append` resolves only once every event is durable in the log, with the
 * highest position written per partition; it rejects with an EventLogError otherwise. Events of one run keep
 * their order.
 */
export interface EventLog {
  readonly topic: string;
  append(events: readonly StoredEvent[], opts?: AppendOptions): Promise<LogPositions>;
  /** Waits for appends already accepted, then releases connections; later appends reject with LOG_CLOSED. */
  close(): Promise<void>;
}
