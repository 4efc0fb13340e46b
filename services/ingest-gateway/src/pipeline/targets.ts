import { COLLABORATION_TYPES, type TrackstreamEvent, type ValidationProblem } from '@trackstream/events';
import type { CollabTargetQuery, CollabTargets } from '@trackstream/read-model';
import { GatewayError } from '../errors';

/** The port: which of the named runs, experiments and notes exist (the read model's `readCollabTargets`). */
export interface CollabTargetDirectory {
  lookup(q: CollabTargetQuery): Promise<CollabTargets>;
}

const COLLAB = new Set<string>(COLLABORATION_TYPES);
const key = (project: string, id: string) => `${project}\u0000${id}`;

/**
 * Step targets, pure half: what the batch's collaboration events name that the batch itself does not create first
 * (a run is created by any of its events, an experiment by any event of it, a note by its note_added).
 * null = nothing to look up.
 */
export function targetQuery(events: readonly TrackstreamEvent[]): CollabTargetQuery | null {
  const q: CollabTargetQuery = { runs: [], experiments: [], notes: [] };
  const runs = new Set<string>();
  const experiments = new Set<string>();
  const notes = new Set<string>();
  for (const e of events) {
    if (COLLAB.has(e.type)) {
      if (e.run_id !== null && !runs.has(key(e.project, e.run_id))) q.runs.push({ project: e.project, run_id: e.run_id });
      if (e.run_id === null && !experiments.has(key(e.project, e.experiment_id))) q.experiments.push({ project: e.project, experiment_id: e.experiment_id });
      if ((e.type === 'note_edited' || e.type === 'note_deleted') && !notes.has(e.payload.note_id.toLowerCase())) q.notes.push(e.payload.note_id.toLowerCase());
    }
    if (!COLLAB.has(e.type)) {
      experiments.add(key(e.project, e.experiment_id));
      if (e.run_id !== null) runs.add(key(e.project, e.run_id));
    }
    if (e.type === 'note_added') notes.add(e.payload.note_id.toLowerCase());
  }
  return q.runs.length + q.experiments.length + q.notes.length === 0 ? null : q;
}

/** Step targets, pure half: one problem per collaboration event whose target neither the batch nor the store has. */
export function targetProblems(events: readonly TrackstreamEvent[], found: CollabTargets): ValidationProblem[] {
  const runs = new Set(found.runs);
  const experiments = new Set(found.experiments);
  const notes = new Map([...found.notes].map(([id, n]) => [id, n.run_id === null ? `e:${key(n.project, n.experiment_id)}` : `r:${key(n.project, n.run_id)}`]));
  const problems: ValidationProblem[] = [];
  events.forEach((e, index) => {
    const target = e.run_id === null ? `e:${key(e.project, e.experiment_id)}` : `r:${key(e.project, e.run_id)}`;
    if (COLLAB.has(e.type)) {
      if (e.run_id !== null && !runs.has(key(e.project, e.run_id))) {
        problems.push({ index, path: `events[${index}].run_id`, message: `no run ${JSON.stringify(e.run_id)} in project ${JSON.stringify(e.project)}` });
        return;
      }
      if (e.run_id === null && !experiments.has(key(e.project, e.experiment_id))) {
        problems.push({ index, path: `events[${index}].experiment_id`, message: `no experiment ${JSON.stringify(e.experiment_id)} in project ${JSON.stringify(e.project)}` });
        return;
      }
      if (e.type === 'note_edited' || e.type === 'note_deleted') {
        const id = e.payload.note_id.toLowerCase();
        if (notes.get(id) !== target) {
          problems.push({ index, path: `events[${index}].payload.note_id`, message: `no note ${e.payload.note_id} on this ${e.run_id === null ? 'experiment' : 'run'}` });
          return;
        }
        if (e.type === 'note_deleted') notes.delete(id);
      }
      if (e.type === 'note_added') notes.set(e.payload.note_id.toLowerCase(), target);
    } else {
      experiments.add(key(e.project, e.experiment_id));
      if (e.run_id !== null) runs.add(key(e.project, e.run_id));
    }
  });
  return problems;
}

/** Step targets: refuses the whole batch (404 TARGET_NOT_FOUND, nothing appended) when a target is missing. */
export async function checkTargets(events: readonly TrackstreamEvent[], directory: CollabTargetDirectory | null): Promise<void> {
  if (directory === null) return;
  const q = targetQuery(events);
  if (q === null) return;
  let found: CollabTargets;
  try {
    found = await directory.lookup(q);
  } catch (err) {
    throw new GatewayError('TARGETS_UNAVAILABLE', 'cannot check the targets of notes, annotations, stars or views right now; retry later', { retryAfterSeconds: 1, cause: err });
  }
  const problems = targetProblems(events, found);
  if (problems.length === 0) return;
  throw new GatewayError('TARGET_NOT_FOUND', `the batch was rejected and nothing was appended: ${problems[0]!.path}: ${problems[0]!.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
    details: { problems },
  });
}
