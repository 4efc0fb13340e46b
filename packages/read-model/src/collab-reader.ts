import type { Pool } from 'pg';
import { quoteSchema } from '@trackstream/postgres';
import { NOTE_COLUMNS, noteView, type NoteView } from './pg-reader';

export interface SavedViewView {
  name: string;
  filter: string | null;
  order_by: string[];
  columns: string[];
  author: string;
  updated_at: number;
}

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
      `SELECT ${NOTE_COLUMNS} FROM ${this.s}.notes WHERE experiment_id = $1 AND run_id IS NULL AND NOT deleted ORDER BY created_at, note_id`,
      [experimentId],
    );
    return (rows as Record<string, unknown>[]).map(noteView);
  }

  async savedViews(experimentId: string): Promise<SavedViewView[]> {
    const { rows } = await this.pool.query(
      `SELECT name, filter, order_by, columns, author, updated_at FROM ${this.s}.saved_views WHERE experiment_id = $1 ORDER BY name`,
      [experimentId],
    );
    return (rows as Record<string, unknown>[]).map((r) => ({
      name: String(r.name), filter: (r.filter as string | null) ?? null, order_by: r.order_by as string[], columns: r.columns as string[],
      author: String(r.author), updated_at: Number(r.updated_at),
    }));
  }
}
