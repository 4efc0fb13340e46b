import type { Producer } from 'kafkajs';
import { deadLetterHeaders, type DeadLetter } from '@trackstream/projection-core';

/**
 * Sends the original bytes and key with the reason in headers (names and layout: @trackstream/projection-core).
 * A crash between this send and the checkpoint re-sends the record, so DLQ readers dedupe on the source offset.
 */
export async function sendToDlq(producer: Producer, dlqTopic: string, projection: string, letter: DeadLetter, now = Date.now()): Promise<void> {
  const headers = deadLetterHeaders(letter, projection, now);
  await producer.send({ topic: dlqTopic, acks: -1, messages: [{ key: letter.key, value: letter.value, headers }] });
}
