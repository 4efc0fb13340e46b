export type BackpressurePolicy = 'block' | 'downsample' | 'drop';

export interface PolicyCounters {
  /** Points dropped because they were marked debug and the pipeline was under pressure ('drop'). */
  dropped: number;
  droppedByKey: Record<string, number>;
  /** Points skipped by downsampling under pressure ('downsample'). */
  downsampled: number;
  downsampledByKey: Record<string, number>;
}

/**
 * Decides, per metric point, whether it is kept when the pipeline is under pressure (gateway failing or memory
 * full). 'block' keeps everything (spilling to disk instead); 'downsample' keeps every Nth point of each key
 * logged under pressure; 'drop' drops points the caller marked debug. Only metrics are ever subject to this.
 */
export class PolicyGate {
  private readonly phase = new Map<string, number>();
  readonly counters: PolicyCounters = { dropped: 0, droppedByKey: {}, downsampled: 0, downsampledByKey: {} };

  constructor(
    readonly policy: BackpressurePolicy,
    readonly downsampleEvery: number,
  ) {
    if (!Number.isInteger(downsampleEvery) || downsampleEvery < 1) throw new RangeError('downsampleEvery must be an integer >= 1');
  }

  keep(key: string, debug: boolean, pressure: boolean): boolean {
    if (!pressure || this.policy === 'block') return true;
    if (this.policy === 'drop') {
      if (!debug) return true;
      this.counters.dropped++;
      this.counters.droppedByKey[key] = (this.counters.droppedByKey[key] ?? 0) + 1;
      return false;
    }
    const n = this.phase.get(key) ?? 0;
    this.phase.set(key, n + 1 === this.downsampleEvery ? 0 : n + 1);
    if (n === 0) return true;
    this.counters.downsampled++;
    this.counters.downsampledByKey[key] = (this.counters.downsampledByKey[key] ?? 0) + 1;
    return false;
  }

  snapshot(): PolicyCounters {
    return {
      dropped: this.counters.dropped,
      droppedByKey: { ...this.counters.droppedByKey },
      downsampled: this.counters.downsampled,
      downsampledByKey: { ...this.counters.downsampledByKey },
    };
  }
}
