import { backoffDelay, type BackoffOptions } from '@trackstream/projection-core';
import type { Logger } from '@trackstream/telemetry';
import type { ProjectorMetrics } from './metrics';
import type { RetryLater } from './poison-handling';

/** The part of a kafkajs consumer a paused partition needs. */
export interface PausableConsumer {
  pause(topics: { topic: string; partitions: number[] }[]): void;
  resume(topics: { topic: string; partitions: number[] }[]): void;
  seek(target: { topic: string; partition: number; offset: string }): void;
}

/**
 * Retry of a retriable failure: the partition is paused, rewound to where the retry starts, and resumed after the
 * backoff (attempts count per partition until a chunk is applied). Nothing is skipped.
 */
export class PartitionPauses {
  private readonly attempts = new Map<number, number>();
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly deps: {
      topic: string;
      consumer: PausableConsumer;
      backoff: BackoffOptions;
      metrics: ProjectorMetrics;
      log: Logger;
      /** Called before the seek: the runtime forgets the partition's checkpoint so the retry rereads it. */
      onPause: (partition: number) => void;
      stopped: () => boolean;
      random?: () => number;
    },
  ) {}

  schedule(partition: number, retry: RetryLater): void {
    const d = this.deps;
    if (d.stopped()) return;
    const attempt = (this.attempts.get(partition) ?? 0) + 1;
    this.attempts.set(partition, attempt);
    const delay = backoffDelay(attempt, d.backoff, d.random);
    d.metrics.retries.inc({ code: retry.code });
    d.log.warn('retriable failure; partition paused', {
      partition,
      attempt,
      delayMs: delay,
      from: retry.from.toString(),
      code: retry.code,
      err: retry.reason instanceof Error ? retry.reason.message : String(retry.reason),
    });
    const tp = [{ topic: d.topic, partitions: [partition] }];
    d.consumer.pause(tp);
    d.consumer.seek({ topic: d.topic, partition, offset: retry.from.toString() });
    d.onPause(partition);
    const previous = this.timers.get(partition);
    if (previous) clearTimeout(previous);
    d.metrics.pausedPartitions.set(this.timers.size + (previous ? 0 : 1));
    this.timers.set(
      partition,
      setTimeout(() => {
        this.timers.delete(partition);
        d.metrics.pausedPartitions.set(this.timers.size);
        if (!d.stopped()) d.consumer.resume(tp);
      }, delay),
    );
  }

  /** A chunk of the partition was applied: the next failure starts the backoff over. */
  succeeded(partition: number): void {
    this.attempts.delete(partition);
  }

  paused(): number[] {
    return [...this.timers.keys()].sort((a, b) => a - b);
  }

  cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
