import type { TrackstreamEvent } from './generated/types';

/** The first value of each param seen so far in a history, and where it was logged (a log position, as text). */
export type ParamHistory = Map<string, { value: string; at: string }>;

/** The prefix of a change line that reports a param conflict (the first value stays, the new one is ignored). */
export const CONFLICT_PREFIX = 'CONFLICT';

/** The first line of a note, at most 120 characters: an audit line stays one line. */
const excerpt = (text: string) => {
  const line = text.split('\n', 1)[0]!;
  return JSON.stringify(line.length > 120 || line.length < text.length ? `${line.slice(0, 120)}…` : line);
};

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/**
 * What one event changed, as readable lines, for audit timelines (the CLI's `audit`, the query API's run events).
 * `params` carries the history's params so far: a param logged again with another value is a conflict line (the
 * first value is kept, as the projections keep it); `at` names this event's position for later conflicts.
 */
export function describeEvent(e: Pick<TrackstreamEvent, 'type' | 'payload'>, params: ParamHistory, at: string): string[] {
  const ev = e as TrackstreamEvent;
  switch (ev.type) {
    case 'experiment_created':
      return [`experiment created: ${JSON.stringify(ev.payload.name)}`];
    case 'run_started':
      return [`run started${ev.payload.run_name ? ` (${ev.payload.run_name})` : ''} by user ${ev.payload.user ?? '-'} at ${iso(ev.payload.start_time)}` +
        (ev.payload.source.git_commit ? `, commit ${ev.payload.source.git_commit}` : '')];
    case 'params_logged': {
      const out: string[] = [];
      for (const [k, v] of Object.entries(ev.payload.params)) {
        const first = params.get(k);
        if (first === undefined) {
          params.set(k, { value: v, at });
          out.push(`param ${k} = ${JSON.stringify(v)}`);
        } else if (first.value !== v) {
          out.push(`${CONFLICT_PREFIX} param ${k}: ${JSON.stringify(v)} ignored, keeps ${JSON.stringify(first.value)} (offset ${first.at})`);
        } else out.push(`param ${k} = ${JSON.stringify(v)} (again, same value)`);
      }
      return out.length > 0 ? out : ['params logged: none'];
    }
    case 'metrics_logged': {
      const keys = new Map<string, number>();
      for (const p of ev.payload.points) keys.set(p.key, (keys.get(p.key) ?? 0) + 1);
      return [`${ev.payload.points.length} metric point(s): ${[...keys].map(([k, n]) => `${k}×${n}`).join(', ')}`];
    }
    case 'tags_set':
      return Object.entries(ev.payload.tags).map(([k, v]) => `tag ${k} = ${JSON.stringify(v)}`);
    case 'tags_deleted':
      return [`tags deleted: ${ev.payload.keys.join(', ')}`];
    case 'artifact_logged':
      return [`artifact ${ev.payload.path} → ${ev.payload.uri}${ev.payload.size_bytes === null ? '' : ` (${ev.payload.size_bytes} bytes)`}`];
    case 'lineage_recorded':
      return [`lineage: inputs ${ev.payload.inputs.map((r) => `${r.kind}:${r.name}`).join(', ') || '-'}; outputs ${ev.payload.outputs.map((r) => `${r.kind}:${r.name}`).join(', ') || '-'}`];
    case 'run_completed':
      return [`run completed: ${ev.payload.status} at ${iso(ev.payload.end_time)}`];
    case 'run_updated': {
      const p = ev.payload;
      const parts = [p.run_name === null ? null : `name ${JSON.stringify(p.run_name)}`, p.status === null ? null : `status ${p.status}`,
        p.end_time === null ? null : `end time ${iso(p.end_time)}`].filter((x) => x !== null);
      return [`run updated: ${parts.join(', ') || 'nothing'}`];
    }
    case 'run_deleted':
      return ['run deleted'];
    case 'run_restored':
      return ['run restored'];
    case 'experiment_renamed':
      return [`experiment renamed: ${JSON.stringify(ev.payload.name)}`];
    case 'experiment_deleted':
      return ['experiment deleted'];
    case 'experiment_restored':
      return ['experiment restored'];
    case 'experiment_tags_set':
      return Object.entries(ev.payload.tags).map(([k, v]) => `experiment tag ${k} = ${JSON.stringify(v)}`);
    case 'experiment_tags_deleted':
      return [`experiment tags deleted: ${ev.payload.keys.join(', ')}`];
    // Schema v3 (collaboration): who wrote it is the event's principal (the timeline's head).
    case 'note_added':
      return [`note ${ev.payload.note_id} added: ${excerpt(ev.payload.text)}`];
    case 'note_edited':
      return [`note ${ev.payload.note_id} edited: ${excerpt(ev.payload.text)}`];
    case 'note_deleted':
      return [`note ${ev.payload.note_id} deleted`];
    case 'annotation_added':
      return [`annotation ${ev.payload.annotation_id} at ${ev.payload.key} step ${ev.payload.step}: ${excerpt(ev.payload.text)}`];
    case 'annotation_deleted':
      return [`annotation ${ev.payload.annotation_id} deleted`];
    case 'run_starred':
      return [ev.payload.starred ? 'run starred' : 'run unstarred'];
    case 'run_pinned':
      return [ev.payload.pinned ? 'run pinned' : 'run unpinned'];
    case 'view_saved':
      return [`view ${JSON.stringify(ev.payload.name)} saved: filter ${JSON.stringify(ev.payload.filter ?? '')}, order ${ev.payload.order_by.join(', ') || '-'}, columns ${ev.payload.columns.join(', ') || '-'}`];
    case 'view_deleted':
      return [`view ${JSON.stringify(ev.payload.name)} deleted`];
  }
}
