import type { LogPositions } from '@trackstream/events';

/** Where a store's projector stands: partition → next offset it will read. */
export type CheckpointSource = (topic: string) => Promise<Map<number, bigint>>;

/** True when every written offset is below the store's next offset for its partition. */
export function covers(checkpoints: Map<number, bigint>, positions: LogPositions['positions']): boolean {
  for (const [partition, offset] of Object.entries(positions)) {
    const next = checkpoints.get(Number(partition));
    if (next === undefined || next <= BigInt(offset)) return false;
  }
  return true;
}

export interface WaitOptions {
  /** Upper bound of the wait; the read then goes ahead and says it may be stale. */
  timeoutMs: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls the stores' checkpoints until all of them cover the positions or the bound runs out. A store that cannot
 * be read (no checkpoint table yet, server down) counts as not covering: the answer is then marked stale rather
 * than failed, since the read itself may still work.
 */
export async function waitForPositions(sources: readonly CheckpointSource[], positions: LogPositions, opts: WaitOptions): Promise<boolean> {
  const sleep = opts.sleep ?? realSleep;
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  const pending = new Set(sources);
  for (;;) {
    for (const source of [...pending]) {
      const checkpoints = await source(positions.topic).catch(() => new Map<number, bigint>());
      if (covers(checkpoints, positions.positions)) pending.delete(source);
    }
    if (pending.size === 0) return true;
    const left = deadline - now();
    if (left <= 0) return false;
    await sleep(Math.min(opts.pollMs ?? 20, left));
  }
}

/**
 * Many reads waiting at once would each poll the checkpoint table every few ms; this lets concurrent waiters share
 * the read that is already in flight, so the store sees at most one checkpoint query per topic at a time.
 */
export function coalesced(source: CheckpointSource): CheckpointSource {
  const inFlight = new Map<string, Promise<Map<number, bigint>>>();
  return (topic) => {
    const pending = inFlight.get(topic);
    if (pending) return pending;
    const read = source(topic).finally(() => inFlight.delete(topic));
    inFlight.set(topic, read);
    return read;
  };
}
