import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The projector's own series, registered on the process registry. */
export class ProjectorMetrics {
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly eventsApplied: Counter<'type'>;
  readonly batchApplySeconds: Histogram;
  readonly dlqRecords: Counter<'reason'>;
  readonly retries: Counter<'code'>;
  readonly pausedPartitions: Gauge;
  private readonly checkpointAt = new Map<number, number>();

  constructor(registry: Registry, readonly projection: string, private readonly now: () => number = Date.now) {
    this.lag = new Gauge({
      name: 'trackstream_projector_consumer_lag',
      help: 'Records in the log not yet applied to the projection (high watermark minus checkpoint), per partition',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
    this.eventsApplied = new Counter({
      name: 'trackstream_projector_events_applied_total',
      help: 'Events applied to the projection, by event type (rate() gives events applied per second)',
      labelNames: ['type'],
      registers: [registry],
    });
    this.batchApplySeconds = new Histogram({
      name: 'trackstream_projector_batch_apply_seconds',
      help: 'Time to apply one batch to the projection store, checkpoint included',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.dlqRecords = new Counter({
      name: 'trackstream_projector_dlq_records_total',
      help: 'Records sent to the dead-letter topic, by reason code',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'trackstream_projector_retries_total',
      help: 'Retriable apply failures (the partition is paused and retried with backoff), by error code',
      labelNames: ['code'],
      registers: [registry],
    });
    this.pausedPartitions = new Gauge({
      name: 'trackstream_projector_paused_partitions',
      help: 'Partitions paused while waiting to retry a retriable failure',
      registers: [registry],
    });
    const checkpointAt = this.checkpointAt;
    const clock = this.now;
    new Gauge({
      name: 'trackstream_projector_checkpoint_age_seconds',
      help: 'Seconds since this process last advanced the partition checkpoint (read with lag: age grows while idle at lag 0)',
      labelNames: ['partition'],
      registers: [registry],
      collect() {
        this.reset();
        const t = clock();
        for (const [partition, at] of checkpointAt) this.set({ partition: String(partition) }, (t - at) / 1000);
      },
    });
  }

  checkpointAdvanced(partition: number): void {
    this.checkpointAt.set(partition, this.now());
  }

  partitionsRevoked(): void {
    this.checkpointAt.clear();
    this.lag.reset();
  }
}
