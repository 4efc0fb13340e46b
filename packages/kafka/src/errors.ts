import { TrackstreamError } from '@trackstream/errors';
/**
 * Why an append did not reach the log. `retriable` tells the caller whether the same append may succeed later
 * (the broker is down or slow) or never will (the broker refused the records themselves).
 */
export type EventLogErrorCode = 'LOG_UNAVAILABLE' | 'LOG_TIMEOUT' | 'LOG_REJECTED' | 'LOG_CLOSED';

export class EventLogError extends TrackstreamError {
  readonly retriable: boolean;

  constructor(
    readonly code: EventLogErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EventLogError';
    this.retriable = code === 'LOG_UNAVAILABLE' || code === 'LOG_TIMEOUT';
  }
}

/** The broker (or the encoder) refused the records themselves: the same append will never succeed. */
export class EventLogRejectedError extends EventLogError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOG_REJECTED', message, options);
    this.name = 'EventLogRejectedError';
  }
}

/** The log was closed (the process is shutting down): this process will not append it, another one may. */
export class EventLogClosedError extends EventLogError {
  constructor() {
    super('LOG_CLOSED', 'the event log is closed');
    this.name = 'EventLogClosedError';
  }
}
