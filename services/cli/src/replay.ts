import type { Kafka } from 'kafkajs';
import { decodeEvent, type StoredEvent } from '@trackstream/events';
import { applyIsolatingPoison, backoffDelay, type DecodedRecord, type ProjectionSink } from '@trackstream/projection-core';
import { CliError, messageOf } from './errors';
import { readRanges, topicBounds, type Ranges, type TopicBounds } from './log-reader';
import type { Progress } from './progress';

/** Where a replay stops: the end of the log captured at start, a time (received_at ≤ ms), or per-partition offsets. */
export type Cutoff = { kind: 'end' } | { kind: 'time'; ms: number } | { kind: 'offsets'; offsets: Map<number, bigint> };

export interface ReplayOptions {
  kafka: Kafka;
  topic: string;
  sinks: ProjectionSink[];
  cutoff: Cutoff;
  /** Records per sink.apply(); the result does not depend on it. */
  batchSize: number;
  groupId: string;
  signal?: AbortSignal;
  progress?: (total: number) => Progress;
  /** Retriable store failures tolerated in a row before the replay gives up (it resumes when run again). */
  maxRetries?: number;
}

export interface ReplayReport {
  /** partition → offset the replay read up to (exclusive). */
  ends: Map<number, bigint>;
  records: number;
  applied: number;
  skipped: number;
  points: number;
  seconds: number;
  interrupted: boolean;
}

/**
 * Rebuilds the sinks from the log: each partition from the lowest checkpoint the sinks hold (0 for a fresh
 * target) up to the cutoff, in log order, through the sinks' own apply() — the same code, idempotency and
 * checkpoints as the live projector — so rerunning after an interruption resumes where the checkpoints stopped.
 * Records that cannot be decoded or that a store refuses for good are skipped (the live projector sent them to
 * the DLQ); their offsets are still covered by the checkpoint.
 */
export async function replay(opts: ReplayOptions): Promise<ReplayReport> {
  const started = Date.now();
  const bounds = await topicBounds(opts.kafka, opts.topic);
  const ends = endOffsets(bounds, opts.cutoff, opts.topic);
  const perSink = await Promise.all(opts.sinks.map(async (s) => ({ sink: s, checkpoints: await s.loadCheckpoints(opts.topic) })));
  const ranges: Ranges = new Map();
  let total = 0;
  for (const [p, end] of ends) {
    const low = bounds.low.get(p) ?? 0n;
    let from = end;
    for (const { checkpoints } of perSink) {
      const cp = BigInt(checkpoints.get(p) ?? '0');
      if (cp < from) from = cp;
    }
    if (from < low) from = low;
    if (end > from) {
      ranges.set(p, { from, to: end });
      total += Number(end - from);
    }
  }
  const progress = opts.progress?.(total);
  const report: ReplayReport = { ends, records: 0, applied: 0, skipped: 0, points: 0, seconds: 0, interrupted: false };

  await readRanges(
    opts.kafka,
    opts.topic,
    ranges,
    async (partition, raws) => {
      const decoded: DecodedRecord[] = [];
      for (const r of raws) {
        let event: StoredEvent;
        try {
          if (r.value === null || r.value.length === 0) throw new Error('empty record');
          event = decodeEvent(r.value);
        } catch {
          report.skipped++;
          continue;
        }
        if (opts.cutoff.kind === 'time' && event.received_at > opts.cutoff.ms) continue;
        decoded.push({ offset: r.offset, event });
        if (event.type === 'metrics_logged') report.points += event.payload.points.length;
      }
      const end = BigInt(raws[raws.length - 1]!.offset) + 1n;
      for (let i = 0; i < Math.max(1, decoded.length); i += opts.batchSize) {
        const chunk = decoded.slice(i, i + opts.batchSize);
        const last = i + opts.batchSize >= decoded.length;
        const next = last ? end : BigInt(chunk[chunk.length - 1]!.offset) + 1n;
        for (const { sink, checkpoints } of perSink) {
          const cp = BigInt(checkpoints.get(partition) ?? '0');
          if (next <= cp) continue;
          // Not `report.skipped += await …`: that reads the counter before the await and loses other partitions' counts.
          const dropped = await applyAll(sink, opts, partition, chunk.filter((r) => BigInt(r.offset) >= cp), next);
          report.skipped += dropped;
        }
        if (opts.signal?.aborted) break;
      }
      report.records += raws.length;
      report.applied += decoded.length;
      progress?.advance(raws.length);
    },
    { groupId: opts.groupId, signal: opts.signal },
  );
  progress?.finish();
  report.interrupted = opts.signal?.aborted ?? false;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** partition → where the replay stops; throws when the cutoff names offsets the log does not have yet. */
export function endOffsets(bounds: TopicBounds, cutoff: Cutoff, topic: string): Map<number, bigint> {
  const ends = new Map<number, bigint>();
  for (const [p, high] of bounds.high) {
    if (cutoff.kind === 'offsets') {
      const want = cutoff.offsets.get(p) ?? 0n;
      if (want > high) throw new CliError('CUTOFF_IN_FUTURE', `--until: partition ${p} ends at offset ${high}, ${want} is in the future`, { exitCode: 2 });
      ends.set(p, want);
    } else ends.set(p, high);
  }
  if (cutoff.kind === 'offsets') {
    for (const p of cutoff.offsets.keys()) if (!bounds.high.has(p)) throw new CliError('BAD_CUTOFF', `--until: topic ${topic} has no partition ${p}`, { exitCode: 2 });
  }
  return ends;
}

/** Applies records, dropping the ones the store refuses for good (the shared poison search); returns how many were dropped. */
async function applyAll(sink: ProjectionSink, opts: ReplayOptions, partition: number, records: DecodedRecord[], nextOffset: bigint): Promise<number> {
  let dropped = 0;
  // Retriable failures tolerated in a row: any apply that goes through starts the count over.
  let attempt = 1;
  const maxRetries = opts.maxRetries ?? 5;
  await applyIsolatingPoison({ topic: opts.topic, partition, records, nextOffset: nextOffset.toString() }, BigInt(records[0]?.offset ?? nextOffset), {
    apply: async (batch) => {
      await sink.apply(batch);
      attempt = 1;
    },
    reject: async () => {
      dropped++;
    },
    retry: async (_failure, err) => {
      if (attempt >= maxRetries) {
        throw new CliError('STORE_UNAVAILABLE', `${sink.name}: ${messageOf(err)} (rerun the same command to resume)`, { retriable: true, cause: err });
      }
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, REPLAY_BACKOFF)));
      attempt++;
    },
  });
  return dropped;
}

/** Waits between a replay's retries of an unavailable store: 0.5 s doubling, at most 5 s (the one backoff formula). */
const REPLAY_BACKOFF = { initialMs: 500, maxMs: 5_000 } as const;
