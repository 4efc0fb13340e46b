import { Partitioners, type Kafka, type PartitionMetadata } from 'kafkajs';
import { decodeEvent, eventToJson, type StoredEvent } from '@trackstream/events';
import { CliError } from './errors';
import { readRanges, topicBounds, type RawRecord, type Ranges } from './log-reader';

export interface LoggedEvent {
  partition: number;
  offset: string;
  event: StoredEvent;
}

export type HistoryFilter = { run: string } | { experiment: string };

/** The partition the producers' default partitioner (murmur2, as Java's) sends `key` to. */
export function partitionFor(key: string, partitions: number, topic: string): number {
  const choose = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, i) => ({
    partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0],
  }));
  return choose({ topic, partitionMetadata, message: { key, value: null } });
}

/**
 * The decoded events of one run or one experiment, in log order (partition, then offset), up to the end of the
 * log at the call. A run's events share its key and so one partition: only that partition is read. An
 * experiment's runs are spread over every partition: all of them are scanned (the ClickHouse `events` table could
 * narrow it, but the log is the record an audit should rest on). Undecodable records are left out (they are in
 * the DLQ, which `audit` shows). `projects` (null = all) keeps only events of those projects: a run or experiment of
 * another project is "not found", with the very message of one that does not exist.
 */
export async function readHistory(kafka: Kafka, topic: string, filter: HistoryFilter, groupId: string, projects: readonly string[] | null = null): Promise<LoggedEvent[]> {
  const bounds = await topicBounds(kafka, topic);
  const ranges: Ranges = new Map();
  const only = 'run' in filter ? partitionFor(filter.run, bounds.partitions, topic) : null;
  for (const [p, high] of bounds.high) if (only === null || p === only) ranges.set(p, { from: bounds.low.get(p) ?? 0n, to: high });
  const out: LoggedEvent[] = [];
  await readRanges(kafka, topic, ranges, async (partition, records) => {
    for (const r of records) {
      const event = tryDecode(r);
      if (event === null) continue;
      if (projects !== null && !projects.includes(event.project)) continue;
      if ('run' in filter ? event.run_id === filter.run : event.experiment_id === filter.experiment) out.push({ partition, offset: r.offset, event });
    }
  }, { groupId });
  out.sort((a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  if (out.length === 0) {
    throw new CliError('NOT_FOUND', 'run' in filter ? `no events for run ${filter.run} in ${topic}` : `no events for experiment ${filter.experiment} in ${topic}`, { exitCode: 1 });
  }
  return out;
}

export function tryDecode(r: RawRecord): StoredEvent | null {
  if (r.value === null || r.value.length === 0) return null;
  try {
    return decodeEvent(r.value);
  } catch {
    return null;
  }
}

export const CSV_COLUMNS = ['partition', 'offset', 'event_id', 'type', 'project', 'experiment_id', 'run_id', 'occurred_at', 'received_at', 'principal', 'payload'] as const;

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One line per event: JSONL = eventToJson plus partition and offset; CSV = the columns above, payload as JSON. */
export function formatEvent(e: LoggedEvent, format: 'jsonl' | 'csv'): string {
  const json = eventToJson(e.event) as Record<string, unknown>;
  if (format === 'jsonl') return JSON.stringify({ partition: e.partition, offset: e.offset, ...json });
  const row: Record<(typeof CSV_COLUMNS)[number], string> = {
    partition: String(e.partition),
    offset: e.offset,
    event_id: e.event.event_id,
    type: e.event.type,
    project: e.event.project,
    experiment_id: e.event.experiment_id,
    run_id: e.event.run_id ?? '',
    occurred_at: String(e.event.occurred_at),
    received_at: String(e.event.received_at),
    principal: e.event.principal,
    payload: JSON.stringify(json.payload),
  };
  return CSV_COLUMNS.map((c) => csvField(row[c])).join(',');
}
