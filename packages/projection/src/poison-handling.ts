import type { KafkaMessage, Producer } from 'kafkajs';
import { TrackstreamError } from '@trackstream/errors';
import type { StoredEvent } from '@trackstream/events';
import { applyIsolatingPoison, codeOf, messageOf, type DecodedRecord, type ProjectionSink } from '@trackstream/projection-core';
import type { Logger } from '@trackstream/telemetry';
import { sendToDlq } from './dlq';
import type { ProjectorMetrics } from './metrics';

/** Thrown inside the batch handler when the partition must wait and retry from `from`. */
export class RetryLater extends TrackstreamError {
  readonly retriable = true;

  constructor(
    readonly code: string,
    readonly from: bigint,
    readonly reason: unknown,
  ) {
    super(`retry from ${from}: ${code}`);
    this.name = 'RetryLater';
  }
}

/** Sends one record to the DLQ; a DLQ that cannot be written pauses the partition (RetryLater) instead of skipping. */
export type DeadLetterer = (partition: number, message: KafkaMessage, reason: { code: string; message: string }, from: bigint) => Promise<void>;

export function createDeadLetterer(deps: { producer: Producer; topic: string; dlqTopic: string; projection: string; metrics: ProjectorMetrics; log: Logger }): DeadLetterer {
  return async (partition, message, reason, from) => {
    try {
      await sendToDlq(deps.producer, deps.dlqTopic, deps.projection, {
        topic: deps.topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers,
        reason,
      });
    } catch (err) {
      throw new RetryLater('DLQ_UNAVAILABLE', from, err);
    }
    deps.metrics.dlqRecords.inc({ reason: reason.code });
    deps.log.warn('record sent to the dead-letter topic', { partition, offset: message.offset, reason: reason.code, detail: reason.message });
  };
}

export interface ChunkDeps {
  topic: string;
  sink: ProjectionSink;
  decode: (value: Buffer) => StoredEvent;
  metrics: ProjectorMetrics;
  log: Logger;
  deadLetter: DeadLetterer;
}

/**
 * Poison handling of one chunk of a partition: records without a value or that do not decode go to the DLQ at
 * once; the rest are applied through the shared poison search (@trackstream/projection-core), whose rejected
 * records go to the DLQ too. Retriable failures come out as RetryLater from the chunk's first offset.
 */
export async function applyChunk(deps: ChunkDeps, partition: number, messages: KafkaMessage[], nextOffset: string): Promise<void> {
  const from = BigInt(messages[0]!.offset);
  const byOffset = new Map<string, KafkaMessage>();
  const records: DecodedRecord[] = [];
  for (const message of messages) {
    if (message.value === null) {
      await deps.deadLetter(partition, message, { code: 'EVENT_EMPTY', message: 'record has no value' }, from);
      continue;
    }
    let event: StoredEvent;
    try {
      event = deps.decode(message.value);
    } catch (err) {
      await deps.deadLetter(partition, message, { code: codeOf(err, 'EVENT_UNDECODABLE'), message: messageOf(err) }, from);
      continue;
    }
    byOffset.set(message.offset, message);
    records.push({ offset: message.offset, event });
  }
  await applyIsolatingPoison({ topic: deps.topic, partition, records, nextOffset }, from, {
    apply: async (batch) => {
      const stopTimer = deps.metrics.batchApplySeconds.startTimer();
      await deps.sink.apply(batch);
      stopTimer();
      for (const r of batch.records) deps.metrics.eventsApplied.inc({ type: r.event.type });
    },
    reject: (record, failure, rejectFrom) => deps.deadLetter(partition, byOffset.get(record.offset)!, failure, rejectFrom),
    retry: async (failure, err, retryFrom) => {
      throw new RetryLater(failure.code, retryFrom, err);
    },
    isolating: (failure) => deps.log.warn('non-retriable failure without a record offset; applying records one at a time', { partition, code: failure.code }),
  });
}
