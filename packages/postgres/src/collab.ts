import { COLLABORATION_TYPES, type StoredEvent } from '@trackstream/events';

/**
 * Collaboration (schema version 3) as pure functions: notes, metric-step annotations, stars, pins, saved views.
 *
 * Every event of one note, one run's stars/pins or one experiment's views shares a Kafka key (the run id, or the
 * experiment id for experiment-level notes and views), so they reach the projection in log order in any replay;
 * the rules below are "in log order", the same within a batch (fold) and across batches (write.ts):
 * - notes: note_added creates the note (author = the event's principal, created_at = occurred_at) unless its id is
 *   known; note_edited replaces the text of a known, live note (updated_at, edited_by); note_deleted leaves a
 *   tombstone (deleted, text cleared) that later events of that id do not revive.
 * - annotations: as notes, without edits.
 * - stars: one per (run, principal), the latest run_starred wins (false removes it). pins: the latest run_pinned wins.
 * - saved views: one per (experiment, name), the latest view_saved wins; view_deleted removes it.
 */

export interface NoteRow {
  note_id: string;
  project: string;
  experiment_id: string;
  /** null = a note on the experiment. */
  run_id: string | null;
  author: string;
  text: string;
  created_at: number;
  updated_at: number;
  edited_by: string | null;
  deleted: boolean;
}

/** What a batch does to one note: create it, edit a stored one, or delete it. */
export type NoteOp =
  | { op: 'create'; row: NoteRow }
  | { op: 'edit'; note_id: string; text: string; updated_at: number; edited_by: string }
  | { op: 'delete'; row: NoteRow };

export interface AnnotationRow {
  annotation_id: string;
  project: string;
  run_id: string;
  key: string;
  step: number;
  text: string;
  author: string;
  created_at: number;
  deleted: boolean;
}

export interface StarRow {
  run_id: string;
  principal: string;
  /** false = unstarred (the row is removed). */
  starred: boolean;
  updated_at: number;
}

export interface PinRow {
  run_id: string;
  pinned: boolean;
  updated_at: number;
}

export interface ViewRow {
  experiment_id: string;
  project: string;
  name: string;
  filter: string | null;
  order_by: string[];
  columns: string[];
  author: string;
  updated_at: number;
  /** true = view_deleted (the row is removed). */
  deleted: boolean;
}

export type CollabChange =
  | { kind: 'note'; op: NoteOp }
  | { kind: 'annotation'; row: AnnotationRow }
  | { kind: 'star'; row: StarRow }
  | { kind: 'pin'; row: PinRow }
  | { kind: 'view'; row: ViewRow };

export const COLLAB_TYPES: ReadonlySet<string> = new Set(COLLABORATION_TYPES);

function tombstone(event: StoredEvent, note_id: string): NoteRow {
  return {
    note_id, project: event.project, experiment_id: event.experiment_id, run_id: event.run_id, author: event.principal, text: '',
    created_at: event.occurred_at, updated_at: event.occurred_at, edited_by: event.principal, deleted: true,
  };
}

/** The collaboration changes of one event (none for other types). */
export function collabChanges(event: StoredEvent): CollabChange[] {
  const at = event.occurred_at;
  const by = event.principal;
  switch (event.type) {
    case 'note_added':
      return [{
        kind: 'note',
        op: {
          op: 'create',
          row: {
            note_id: event.payload.note_id, project: event.project, experiment_id: event.experiment_id, run_id: event.run_id, author: by,
            text: event.payload.text, created_at: at, updated_at: at, edited_by: null, deleted: false,
          },
        },
      }];
    case 'note_edited':
      return [{ kind: 'note', op: { op: 'edit', note_id: event.payload.note_id, text: event.payload.text, updated_at: at, edited_by: by } }];
    case 'note_deleted':
      return [{ kind: 'note', op: { op: 'delete', row: tombstone(event, event.payload.note_id) } }];
    case 'annotation_added':
    case 'annotation_deleted': {
      if (event.run_id === null) return [];
      const p = event.type === 'annotation_added' ? event.payload : { annotation_id: event.payload.annotation_id, key: '', step: 0, text: '' };
      return [{
        kind: 'annotation',
        row: {
          annotation_id: p.annotation_id, project: event.project, run_id: event.run_id, key: p.key, step: p.step, text: p.text, author: by,
          created_at: at, deleted: event.type === 'annotation_deleted',
        },
      }];
    }
    case 'run_starred':
      return event.run_id === null ? [] : [{ kind: 'star', row: { run_id: event.run_id, principal: by, starred: event.payload.starred, updated_at: at } }];
    case 'run_pinned':
      return event.run_id === null ? [] : [{ kind: 'pin', row: { run_id: event.run_id, pinned: event.payload.pinned, updated_at: at } }];
    case 'view_saved':
    case 'view_deleted': {
      const saved = event.type === 'view_saved' ? event.payload : null;
      return [{
        kind: 'view',
        row: {
          experiment_id: event.experiment_id, project: event.project, name: event.payload.name, filter: saved?.filter ?? null,
          order_by: saved?.order_by ?? [], columns: saved?.columns ?? [], author: by, updated_at: at, deleted: saved === null,
        },
      }];
    }
    default:
      return [];
  }
}

/**
 * The batch's collaboration state. Notes and annotations keep their operations in log order: they are few (people
 * write them) and write.ts applies them one by one, so a batch boundary anywhere gives the same rows. Stars, pins
 * and views are last-write-wins maps.
 */
export interface CollabState {
  notes: NoteOp[];
  annotations: AnnotationRow[];
  stars: Map<string, StarRow>;
  pins: Map<string, PinRow>;
  views: Map<string, ViewRow>;
}

export function emptyCollab(): CollabState {
  return { notes: [], annotations: [], stars: new Map(), pins: new Map(), views: new Map() };
}

/** Merges one change into the batch state by the rules above. */
export function foldCollab(st: CollabState, c: CollabChange): void {
  switch (c.kind) {
    case 'note':
      st.notes.push(c.op);
      break;
    case 'annotation':
      st.annotations.push(c.row);
      break;
    case 'star':
      st.stars.set(`${c.row.run_id}\u0000${c.row.principal}`, c.row);
      break;
    case 'pin':
      st.pins.set(c.row.run_id, c.row);
      break;
    case 'view':
      st.views.set(`${c.row.experiment_id}\u0000${c.row.name}`, c.row);
      break;
  }
}

/**
 * The notes after applying `ops` in order to `notes` (note_id → row). write.ts reads the stored rows of the
 * touched notes (locked), applies this, and writes the result: the rule lives only here.
 */
export function applyNoteOps(notes: Map<string, NoteRow>, ops: readonly NoteOp[]): Map<string, NoteRow> {
  for (const op of ops) {
    if (op.op === 'create') {
      if (!notes.has(op.row.note_id)) notes.set(op.row.note_id, op.row);
    } else if (op.op === 'edit') {
      const prev = notes.get(op.note_id);
      if (prev !== undefined && !prev.deleted) notes.set(op.note_id, { ...prev, text: op.text, updated_at: op.updated_at, edited_by: op.edited_by });
    } else {
      const prev = notes.get(op.row.note_id);
      notes.set(op.row.note_id, prev === undefined ? op.row : { ...prev, text: '', deleted: true, updated_at: op.row.updated_at, edited_by: op.row.edited_by });
    }
  }
  return notes;
}

/** The annotations after applying `rows` (adds and deletes, in log order) to `stored`: as notes, without edits. */
export function applyAnnotationOps(stored: Map<string, AnnotationRow>, rows: readonly AnnotationRow[]): Map<string, AnnotationRow> {
  for (const row of rows) {
    const prev = stored.get(row.annotation_id);
    if (!row.deleted) {
      if (prev === undefined) stored.set(row.annotation_id, row);
    } else {
      stored.set(row.annotation_id, prev === undefined ? { ...row, text: '' } : { ...prev, text: '', deleted: true });
    }
  }
  return stored;
}
