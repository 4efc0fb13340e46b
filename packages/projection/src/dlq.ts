import type { IHeaders, Producer } from 'kafkajs';

/** What the projector knows about a record it gives up on. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders | undefined;
  reason: { code: string; message: string };
}

export const DLQ_HEADERS = {
  reasonCode: 'trackstream-dlq-reason-code',
  reasonMessage: 'trackstream-dlq-reason',
  topic: 'trackstream-dlq-source-topic',
  partition: 'trackstream-dlq-source-partition',
  offset: 'trackstream-dlq-source-offset',
  projection: 'trackstream-dlq-projection',
  at: 'trackstream-dlq-at',
} as const;

/**
 * Sends the original bytes and key with the reason in headers. The source position is a header too:
 * a crash between this send and the checkpoint re-sends the record, so DLQ readers dedupe on it.
 */
export async function sendToDlq(producer: Producer, dlqTopic: string, projection: string, letter: DeadLetter, now = Date.now()): Promise<void> {
  const headers: IHeaders = { ...(letter.headers ?? {}) };
  headers[DLQ_HEADERS.reasonCode] = letter.reason.code;
  headers[DLQ_HEADERS.reasonMessage] = letter.reason.message.slice(0, 2000);
  headers[DLQ_HEADERS.topic] = letter.topic;
  headers[DLQ_HEADERS.partition] = String(letter.partition);
  headers[DLQ_HEADERS.offset] = letter.offset;
  headers[DLQ_HEADERS.projection] = projection;
  headers[DLQ_HEADERS.at] = String(now);
  await producer.send({ topic: dlqTopic, acks: -1, messages: [{ key: letter.key, value: letter.value, headers }] });
}
