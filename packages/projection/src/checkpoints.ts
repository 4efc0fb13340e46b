/**
 * Checkpoint/seek: what the runtime knows of each assigned partition's sink checkpoint, and the decision taken on
 * each fetched batch. The sink's checkpoint is the truth; Kafka's committed offset only saves refetching.
 */
export class PartitionCheckpoints {
  /** partition → next offset to apply, as the sink recorded it (loaded lazily after each assignment). */
  private readonly known = new Map<number, bigint>();
  /** partition → checkpoint we already sought to, so a log that starts after it does not loop seeking. */
  private readonly soughtTo = new Map<number, bigint>();

  constructor(private readonly load: () => Promise<Map<number, string>>) {}

  /** Another member may have advanced any partition meanwhile: forget everything. */
  reset(): void {
    this.known.clear();
    this.soughtTo.clear();
  }

  /** The store may have changed while it was failing (e.g. restored): reread this partition's checkpoint next time. */
  forget(partition: number): void {
    this.known.delete(partition);
    this.soughtTo.delete(partition);
  }

  /** Reads every checkpoint from the sink; missing partitions start at 0. Does not record them (see seekedTo). */
  async loadAll(partitions: readonly number[]): Promise<Map<number, bigint>> {
    const stored = await this.load();
    return new Map(partitions.map((p) => [p, BigInt(stored.get(p) ?? '0')]));
  }

  /** The seek to `checkpoint` was issued for `partition`. */
  seekedTo(partition: number, checkpoint: bigint): void {
    this.known.set(partition, checkpoint);
    this.soughtTo.set(partition, checkpoint);
  }

  /** The checkpoint of one partition, from memory or else the sink. No checkpoint means nothing applied yet: 0. */
  async of(partition: number): Promise<bigint> {
    const k = this.known.get(partition);
    if (k !== undefined) return k;
    const stored = await this.load();
    const cp = BigInt(stored.get(partition) ?? '0');
    this.known.set(partition, cp);
    return cp;
  }

  advanced(partition: number, next: bigint): void {
    this.known.set(partition, next);
  }

  get(partition: number): bigint | undefined {
    return this.known.get(partition);
  }

  /** What a fetched batch starting at `firstOffset` should do, given the partition's checkpoint. */
  decide(partition: number, firstOffset: bigint, checkpoint: bigint): BatchStart {
    // Kafka's committed offset is ahead of the store (e.g. the projection was rebuilt): the store wins, once.
    if (firstOffset > checkpoint && this.soughtTo.get(partition) !== checkpoint) {
      this.soughtTo.set(partition, checkpoint);
      return { kind: 'seek', to: checkpoint };
    }
    return { kind: 'apply', from: checkpoint };
  }

  entries(): [number, bigint][] {
    return [...this.known];
  }
}

/** `seek`: drop this batch and refetch from `to`; `apply`: apply the records at or after `from`. */
export type BatchStart = { kind: 'seek'; to: bigint } | { kind: 'apply'; from: bigint };
