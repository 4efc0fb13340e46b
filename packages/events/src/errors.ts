import { TrackstreamError } from '@trackstream/errors';
/** A Kafka record that no schema of the catalogue can decode: poison for a projector (goes to the DLQ). */
export class EventDecodeError extends TrackstreamError {
  readonly code = 'EVENT_UNDECODABLE';
  readonly retriable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventDecodeError';
  }
}

/** An event that does not fit the writer schema; a programming error upstream (the gateway validates first). */
export class EventEncodeError extends TrackstreamError {
  readonly code = 'EVENT_UNENCODABLE';
  readonly retriable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventEncodeError';
  }
}

/** A read-your-writes token that is not one we issued (or was damaged on the way). */
export class TokenDecodeError extends TrackstreamError {
  readonly code = 'TOKEN_INVALID';
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = 'TokenDecodeError';
  }
}
