import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS } from '@trackstream/projection-core';
import { CONFLICT_PREFIX, describeEvent, type ParamHistory } from '@trackstream/events';
import { readRanges, topicBounds, type Ranges } from './log-reader';
import type { LoggedEvent } from './history';

export interface DeadLetterEntry {
  sourcePartition: string;
  sourceOffset: string;
  projection: string;
  code: string;
  reason: string;
  at: string;
}

/** DLQ records whose key is the run (the DLQ keeps the original key), deduplicated on source position + projection. */
export async function readDeadLetters(kafka: Kafka, dlqTopic: string, runId: string, groupId: string): Promise<DeadLetterEntry[]> {
  let bounds;
  try {
    bounds = await topicBounds(kafka, dlqTopic);
  } catch {
    return []; // no DLQ topic yet: nothing was ever rejected
  }
  const ranges: Ranges = new Map();
  for (const [p, high] of bounds.high) ranges.set(p, { from: bounds.low.get(p) ?? 0n, to: high });
  const seen = new Map<string, DeadLetterEntry>();
  await readRanges(kafka, dlqTopic, ranges, async (_p, records) => {
    for (const r of records) {
      if (r.key !== runId) continue;
      const h = r.headers;
      const entry: DeadLetterEntry = {
        sourcePartition: h[DLQ_HEADERS.partition] ?? '?',
        sourceOffset: h[DLQ_HEADERS.offset] ?? '?',
        projection: h[DLQ_HEADERS.projection] ?? '?',
        code: h[DLQ_HEADERS.reasonCode] ?? '?',
        reason: h[DLQ_HEADERS.reasonMessage] ?? '',
        at: h[DLQ_HEADERS.at] ?? '',
      };
      seen.set(`${entry.sourcePartition}:${entry.sourceOffset}:${entry.projection}`, entry);
    }
  }, { groupId });
  return [...seen.values()];
}

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/**
 * A readable timeline, in log order: when it happened (producer clock) and when the gateway received it, who
 * sent it, what it changed; a param logged again with another value is a conflict (the first value stays), an
 * event id seen before is a redelivery (applied once), and records the projectors refused are listed from the DLQ.
 */
export function auditTimeline(subject: string, events: LoggedEvent[], dead: DeadLetterEntry[]): string[] {
  const lines = [`audit of ${subject}: ${events.length} record(s) in the log`];
  const params: ParamHistory = new Map();
  const seen = new Map<string, string>();
  let conflicts = 0;
  let duplicates = 0;
  for (const { partition, offset, event: e } of events) {
    const head = `${iso(e.occurred_at)}  received ${iso(e.received_at)}  ${e.principal}  p${partition}@${offset}  ${e.type}`;
    const first = seen.get(e.event_id);
    if (first !== undefined) {
      duplicates++;
      lines.push(`${head}  REDELIVERED event ${e.event_id} (first at offset ${first}; applied once)`);
      continue;
    }
    seen.set(e.event_id, offset);
    const changes = describeEvent(e, params, offset);
    conflicts += changes.filter((c) => c.startsWith(CONFLICT_PREFIX)).length;
    lines.push(head);
    for (const c of changes) lines.push(`    ${c}`);
  }
  for (const d of dead) lines.push(`REJECTED p${d.sourcePartition}@${d.sourceOffset} by ${d.projection} projection: ${d.code} ${d.reason}${d.at ? ` (at ${d.at})` : ''}`);
  lines.push(`summary: ${conflicts} param conflict(s), ${duplicates} redelivered record(s), ${dead.length} rejected record(s)`);
  return lines;
}
