import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS } from '@trackstream/projection-core';
import type { StoredEvent } from '@trackstream/events';
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

/** The first line of a note, at most 120 characters: an audit line stays one line. */
const excerpt = (text: string) => {
  const line = text.split('\n', 1)[0]!;
  return line.length > 120 || line.length < text.length ? `${line.slice(0, 120)}…` : line;
};

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

function describe(e: StoredEvent, params: Map<string, { value: string; offset: string }>, offset: string): string[] {
  switch (e.type) {
    case 'experiment_created':
      return [`experiment created: ${JSON.stringify(e.payload.name)}`];
    case 'run_started':
      return [`run started${e.payload.run_name ? ` (${e.payload.run_name})` : ''} by user ${e.payload.user ?? '-'} at ${iso(e.payload.start_time)}` +
        (e.payload.source.git_commit ? `, commit ${e.payload.source.git_commit}` : '')];
    case 'params_logged': {
      const out: string[] = [];
      for (const [k, v] of Object.entries(e.payload.params)) {
        const first = params.get(k);
        if (first === undefined) {
          params.set(k, { value: v, offset });
          out.push(`param ${k} = ${JSON.stringify(v)}`);
        } else if (first.value !== v) {
          out.push(`CONFLICT param ${k}: ${JSON.stringify(v)} ignored, keeps ${JSON.stringify(first.value)} (offset ${first.offset})`);
        } else out.push(`param ${k} = ${JSON.stringify(v)} (again, same value)`);
      }
      return out.length > 0 ? out : ['params logged: none'];
    }
    case 'metrics_logged': {
      const keys = new Map<string, number>();
      for (const p of e.payload.points) keys.set(p.key, (keys.get(p.key) ?? 0) + 1);
      return [`${e.payload.points.length} metric point(s): ${[...keys].map(([k, n]) => `${k}×${n}`).join(', ')}`];
    }
    case 'tags_set':
      return Object.entries(e.payload.tags).map(([k, v]) => `tag ${k} = ${JSON.stringify(v)}`);
    case 'tags_deleted':
      return [`tags deleted: ${e.payload.keys.join(', ')}`];
    case 'artifact_logged':
      return [`artifact ${e.payload.path} → ${e.payload.uri}${e.payload.size_bytes === null ? '' : ` (${e.payload.size_bytes} bytes)`}`];
    case 'lineage_recorded':
      return [`lineage: inputs ${e.payload.inputs.map((r) => `${r.kind}:${r.name}`).join(', ') || '-'}; outputs ${e.payload.outputs.map((r) => `${r.kind}:${r.name}`).join(', ') || '-'}`];
    case 'run_completed':
      return [`run completed: ${e.payload.status} at ${iso(e.payload.end_time)}`];
    case 'run_updated': {
      const p = e.payload;
      const parts = [p.run_name === null ? null : `name ${JSON.stringify(p.run_name)}`, p.status === null ? null : `status ${p.status}`,
        p.end_time === null ? null : `end time ${iso(p.end_time)}`].filter((x) => x !== null);
      return [`run updated: ${parts.join(', ') || 'nothing'}`];
    }
    case 'run_deleted':
      return ['run deleted'];
    case 'run_restored':
      return ['run restored'];
    case 'experiment_renamed':
      return [`experiment renamed: ${JSON.stringify(e.payload.name)}`];
    case 'experiment_deleted':
      return ['experiment deleted'];
    case 'experiment_restored':
      return ['experiment restored'];
    case 'experiment_tags_set':
      return Object.entries(e.payload.tags).map(([k, v]) => `experiment tag ${k} = ${JSON.stringify(v)}`);
    case 'experiment_tags_deleted':
      return [`experiment tags deleted: ${e.payload.keys.join(', ')}`];
    case 'note_added':
      return [`note ${e.payload.note_id} added on the ${e.run_id === null ? 'experiment' : 'run'} by ${e.principal}: ${JSON.stringify(excerpt(e.payload.text))}`];
    case 'note_edited':
      return [`note ${e.payload.note_id} edited by ${e.principal}: ${JSON.stringify(excerpt(e.payload.text))}`];
    case 'note_deleted':
      return [`note ${e.payload.note_id} deleted by ${e.principal}`];
    case 'annotation_added':
      return [`annotation ${e.payload.annotation_id} at ${e.payload.key} step ${e.payload.step} by ${e.principal}: ${JSON.stringify(excerpt(e.payload.text))}`];
    case 'annotation_deleted':
      return [`annotation ${e.payload.annotation_id} deleted`];
    case 'run_starred':
      return [`run ${e.payload.starred ? 'starred' : 'unstarred'} by ${e.principal}`];
    case 'run_pinned':
      return [`run ${e.payload.pinned ? 'pinned' : 'unpinned'}`];
    case 'view_saved':
      return [`view ${JSON.stringify(e.payload.name)} saved: filter ${JSON.stringify(e.payload.filter ?? '')}, order ${e.payload.order_by.join(', ') || '-'}, columns ${e.payload.columns.join(', ') || '-'}`];
    case 'view_deleted':
      return [`view ${JSON.stringify(e.payload.name)} deleted`];
  }
}

/**
 * A readable timeline, in log order: when it happened (producer clock) and when the gateway received it, who
 * sent it, what it changed; a param logged again with another value is a conflict (the first value stays), an
 * event id seen before is a redelivery (applied once), and records the projectors refused are listed from the DLQ.
 */
export function auditTimeline(subject: string, events: LoggedEvent[], dead: DeadLetterEntry[]): string[] {
  const lines = [`audit of ${subject}: ${events.length} record(s) in the log`];
  const params = new Map<string, { value: string; offset: string }>();
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
    const changes = describe(e, params, offset);
    conflicts += changes.filter((c) => c.startsWith('CONFLICT')).length;
    lines.push(head);
    for (const c of changes) lines.push(`    ${c}`);
  }
  for (const d of dead) lines.push(`REJECTED p${d.sourcePartition}@${d.sourceOffset} by ${d.projection} projection: ${d.code} ${d.reason}${d.at ? ` (at ${d.at})` : ''}`);
  lines.push(`summary: ${conflicts} param conflict(s), ${duplicates} redelivered record(s), ${dead.length} rejected record(s)`);
  return lines;
}
