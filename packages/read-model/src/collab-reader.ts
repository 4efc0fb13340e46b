import type { Pool } from 'pg';
import { PG_TABLES, quoteSchema, type ViewRow } from '@trackstream/postgres';
import { NOTE_COLUMNS, noteView, type NoteView } from './pg-reader';

/** A saved view as the API shows it: the projection's row without its keys and bookkeeping. */
export type SavedViewView = Pick<ViewRow, 'name' | 'filter' | 'order_by' | 'columns' | 'author' | 'updated_at'>;

/** An experiment's own notes and saved views (run notes come with the run, `PostgresReader.loadRuns`). */
export class CollabReader {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
  ) {
    this.s = quoteSchema(schema);
  }

  /** Live notes on the experiment itself, oldest first. The caller has checked the experiment is in scope. */
  async experimentNotes(experimentId: string): Promise<NoteView[]> {
    const { rows } = await this.pool.query(
      `SELECT ${NOTE_COLUMNS} FROM ${this.s}.${PG_TABLES.notes} WHERE experiment_id = $1 AND run_id IS NULL AND NOT deleted ORDER BY created_at, note_id`,
      [experimentId],
    );
    return (rows as Record<string, unknown>[]).map(noteView);
  }

  async savedViews(experimentId: string): Promise<SavedViewView[]> {
    const { rows } = await this.pool.query(
      `SELECT name, filter, order_by, columns, author, updated_at FROM ${this.s}.${PG_TABLES.savedViews} WHERE experiment_id = $1 ORDER BY name`,
      [experimentId],
    );
    return (rows as Record<string, unknown>[]).map((r) => ({
      name: String(r.name), filter: (r.filter as string | null) ?? null, order_by: r.order_by as string[], columns: r.columns as string[],
      author: String(r.author), updated_at: Number(r.updated_at),
    }));
  }
}

/** What a collaboration write names, to check it exists before it is appended (the gateway's target check). */
export interface CollabTargetQuery {
  runs: { project: string; run_id: string }[];
  experiments: { project: string; experiment_id: string }[];
  notes: string[];
}

export interface CollabTargets {
  /** `project\u0000run_id` of the runs that exist. */
  runs: Set<string>;
  /** `project\u0000experiment_id`. */
  experiments: Set<string>;
  /** Live notes by lowercase id. */
  notes: Map<string, { project: string; experiment_id: string; run_id: string | null }>;
}

export const targetKey = (project: string, id: string) => `${project}\u0000${id}`;

export async function readCollabTargets(pool: Pool, schema: string, q: CollabTargetQuery): Promise<CollabTargets> {
  const s = quoteSchema(schema);
  const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
  const [runs, experiments, notes] = await Promise.all([
    q.runs.length === 0 ? [] : pool.query(
      `SELECT r.project, r.run_id FROM ${s}.${PG_TABLES.runs} r JOIN unnest($1::text[], $2::text[]) AS q(project, run_id) ON r.run_id = q.run_id AND r.project = q.project`,
      [q.runs.map((r) => r.project), q.runs.map((r) => r.run_id)],
    ).then((r) => r.rows as Record<string, unknown>[]),
    q.experiments.length === 0 ? [] : pool.query(
      `SELECT e.project, e.experiment_id FROM ${s}.${PG_TABLES.experiments} e JOIN unnest($1::text[], $2::text[]) AS q(project, experiment_id)
       ON e.experiment_id = q.experiment_id AND e.project = q.project`,
      [q.experiments.map((r) => r.project), q.experiments.map((r) => r.experiment_id)],
    ).then((r) => r.rows as Record<string, unknown>[]),
    q.notes.length === 0 ? [] : pool.query(
      `SELECT note_id::text AS note_id, project, experiment_id, run_id FROM ${s}.${PG_TABLES.notes} WHERE note_id = ANY($1::uuid[]) AND NOT deleted`,
      [q.notes.filter((n) => uuid.test(n))],
    ).then((r) => r.rows as Record<string, unknown>[]),
  ]);
  return {
    runs: new Set(runs.map((r) => targetKey(String(r.project), String(r.run_id)))),
    experiments: new Set(experiments.map((r) => targetKey(String(r.project), String(r.experiment_id)))),
    notes: new Map(notes.map((r) => [String(r.note_id), { project: String(r.project), experiment_id: String(r.experiment_id), run_id: (r.run_id as string | null) ?? null }])),
  };
}
