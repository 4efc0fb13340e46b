/** Header values as a Kafka record carries them (structurally the same as kafkajs' IHeaders, without depending on it). */
export type RecordHeaders = { [key: string]: Buffer | string | (Buffer | string)[] | undefined };

/** What a projector knows about a record it gives up on. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeaders | undefined;
  reason: { code: string; message: string };
}

/** The header names of a dead-letter record; the projection runtime writes them, the CLI's audit reads them. */
export const DLQ_HEADERS = {
  reasonCode: 'trackstream-dlq-reason-code',
  reasonMessage: 'trackstream-dlq-reason',
  topic: 'trackstream-dlq-source-topic',
  partition: 'trackstream-dlq-source-partition',
  offset: 'trackstream-dlq-source-offset',
  projection: 'trackstream-dlq-projection',
  at: 'trackstream-dlq-at',
} as const;

/** A reason message is cut to this many characters in its header. */
export const DLQ_REASON_MAX_CHARS = 2000;

/**
 * The headers of the dead-letter copy: the original record's headers plus the reason and the source position.
 * The position matters: a crash between the DLQ send and the checkpoint re-sends the record, so readers dedupe on it.
 */
export function deadLetterHeaders(letter: DeadLetter, projection: string, now: number): RecordHeaders {
  const headers: RecordHeaders = { ...(letter.headers ?? {}) };
  headers[DLQ_HEADERS.reasonCode] = letter.reason.code;
  headers[DLQ_HEADERS.reasonMessage] = letter.reason.message.slice(0, DLQ_REASON_MAX_CHARS);
  headers[DLQ_HEADERS.topic] = letter.topic;
  headers[DLQ_HEADERS.partition] = String(letter.partition);
  headers[DLQ_HEADERS.offset] = letter.offset;
  headers[DLQ_HEADERS.projection] = projection;
  headers[DLQ_HEADERS.at] = String(now);
  return headers;
}
