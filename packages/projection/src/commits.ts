/**
 * Commit/lag: Kafka's committed offsets are advisory (after a rebalance the next owner starts from the sink
 * checkpoint anyway), so they are written on a timer rather than per batch.
 */
export class AdvisoryCommits {
  private readonly pending = new Map<number, string>();

  record(partition: number, next: bigint): void {
    this.pending.set(partition, next.toString());
  }

  clear(): void {
    this.pending.clear();
  }

  /** Hands the pending offsets to `commit` and forgets them; a failed commit is reported, never retried. */
  async flush(topic: string, commit: (offsets: { topic: string; partition: number; offset: string }[]) => Promise<void>, onError: (err: unknown) => void): Promise<void> {
    if (this.pending.size === 0) return;
    const offsets = [...this.pending].map(([partition, offset]) => ({ topic, partition, offset }));
    this.pending.clear();
    try {
      await commit(offsets);
    } catch (err) {
      onError(err);
    }
  }
}

/** Records in the log not yet applied: high watermark minus checkpoint, never negative. */
export function lagOf(highWatermark: bigint, checkpoint: bigint): number {
  return Number(highWatermark > checkpoint ? highWatermark - checkpoint : 0n);
}
