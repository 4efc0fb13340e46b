import type { PoolClient } from 'pg';
import type { ProjectionState } from './model';
import { applyAnnotationOps, applyNoteOps, type AnnotationRow, type CollabState, type NoteRow } from './collab';
import { PG_TABLES } from './schema';

/**
 * Writes one batch state with one bulk statement per table (unnest of column arrays), merging into the stored
 * rows by the rules in model.ts. Rows are sorted by key so concurrent batches lock rows in the same order.
 */
export async function writeState(c: PoolClient, s: string, st: ProjectionState): Promise<void> {
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);

  // Placeholders (from run events) must not lock an existing experiment row: every partition's runs share it,
  // and DO UPDATE would serialise their transactions on that row. Only experiment_created updates.
  const experiments = byKey(st.experiments);
  const created = experiments.filter((e) => e.created_at !== null);
  const placeholders = experiments.filter((e) => e.created_at === null);
  if (placeholders.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.experiments} (experiment_id, project) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (experiment_id) DO NOTHING`,
      [col(placeholders, 'experiment_id'), col(placeholders, 'project')],
    );
  }
  if (created.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.experiments} AS e (experiment_id, project, name, description, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
       ON CONFLICT (experiment_id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, created_at = EXCLUDED.created_at,
         last_update_time = GREATEST(e.last_update_time, EXCLUDED.created_at)`,
      [col(created, 'experiment_id'), col(created, 'project'), col(created, 'name'), col(created, 'description'), col(created, 'created_at')],
    );
    await c.query(
      `UPDATE ${s}.${PG_TABLES.experiments} SET last_update_time = created_at WHERE experiment_id = ANY($1::text[]) AND last_update_time IS NULL`,
      [col(created, 'experiment_id')],
    );
  }

  // Rename / delete / restore: a placeholder first (the experiment may be projected later), then the later values win.
  const updates = byKey(st.experimentUpdates);
  if (updates.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.experiments} (experiment_id, project) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (experiment_id) DO NOTHING`,
      [col(updates, 'experiment_id'), col(updates, 'project')],
    );
    await c.query(
      `UPDATE ${s}.${PG_TABLES.experiments} e SET
         name = COALESCE(u.name, e.name),
         lifecycle_stage = COALESCE(u.lifecycle_stage, e.lifecycle_stage),
         last_update_time = GREATEST(e.last_update_time, u.last_update_time)
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(experiment_id, name, lifecycle_stage, last_update_time)
       WHERE e.experiment_id = u.experiment_id`,
      [col(updates, 'experiment_id'), col(updates, 'name'), col(updates, 'lifecycle_stage'), col(updates, 'last_update_time')],
    );
  }

  const allExpTags = byKey(st.experimentTags);
  const expTags = allExpTags.filter((t): t is { experiment_id: string; key: string; value: string } => t.value !== null);
  const deletedExpTags = allExpTags.filter((t) => t.value === null);
  if (deletedExpTags.length > 0) {
    await c.query(
      `DELETE FROM ${s}.${PG_TABLES.experimentTags} t USING unnest($1::text[], $2::text[]) AS d(experiment_id, key) WHERE t.experiment_id = d.experiment_id AND t.key = d.key`,
      [col(deletedExpTags, 'experiment_id'), col(deletedExpTags, 'key')],
    );
  }
  if (expTags.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.experimentTags} (experiment_id, key, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (experiment_id, key) DO UPDATE SET value = EXCLUDED.value`,
      [col(expTags, 'experiment_id'), col(expTags, 'key'), col(expTags, 'value')],
    );
  }

  const runs = byKey(st.runs);
  if (runs.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.runs} AS r (run_id, experiment_id, project, run_name, user_name, parent_run_id, status, start_time, end_time,
         source_git_commit, source_git_branch, source_git_dirty, source_entry_point, source_host, context, lifecycle_stage)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[],
         $10::text[], $11::text[], $12::boolean[], $13::text[], $14::text[], $15::jsonb[], $16::text[])
       ON CONFLICT (run_id) DO UPDATE SET
         run_name = COALESCE(EXCLUDED.run_name, r.run_name),
         user_name = COALESCE(EXCLUDED.user_name, r.user_name),
         parent_run_id = COALESCE(EXCLUDED.parent_run_id, r.parent_run_id),
         status = CASE WHEN EXCLUDED.status IN ('FINISHED', 'FAILED', 'KILLED') THEN EXCLUDED.status ELSE COALESCE(r.status, EXCLUDED.status) END,
         start_time = COALESCE(EXCLUDED.start_time, r.start_time),
         end_time = COALESCE(EXCLUDED.end_time, r.end_time),
         source_git_commit = COALESCE(EXCLUDED.source_git_commit, r.source_git_commit),
         source_git_branch = COALESCE(EXCLUDED.source_git_branch, r.source_git_branch),
         source_git_dirty = COALESCE(EXCLUDED.source_git_dirty, r.source_git_dirty),
         source_entry_point = COALESCE(EXCLUDED.source_entry_point, r.source_entry_point),
         source_host = COALESCE(EXCLUDED.source_host, r.source_host),
         context = COALESCE(EXCLUDED.context, r.context),
         lifecycle_stage = COALESCE(EXCLUDED.lifecycle_stage, r.lifecycle_stage)
       WHERE EXCLUDED.status IS NOT NULL OR EXCLUDED.end_time IS NOT NULL OR EXCLUDED.start_time IS NOT NULL
         OR EXCLUDED.run_name IS NOT NULL OR EXCLUDED.lifecycle_stage IS NOT NULL`,
      [
        col(runs, 'run_id'),
        col(runs, 'experiment_id'),
        col(runs, 'project'),
        col(runs, 'run_name'),
        col(runs, 'user_name'),
        col(runs, 'parent_run_id'),
        col(runs, 'status'),
        col(runs, 'start_time'),
        col(runs, 'end_time'),
        col(runs, 'source_git_commit'),
        col(runs, 'source_git_branch'),
        col(runs, 'source_git_dirty'),
        col(runs, 'source_entry_point'),
        col(runs, 'source_host'),
        runs.map((r) => (r.context === null ? null : JSON.stringify(r.context))),
        col(runs, 'lifecycle_stage'),
      ],
    );
  }

  const params = byKey(st.params);
  if (params.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.params} (run_id, key, value, event_id, logged_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::bigint[])
       ON CONFLICT (run_id, key) DO NOTHING`,
      [col(params, 'run_id'), col(params, 'key'), col(params, 'value'), col(params, 'event_id'), col(params, 'logged_at')],
    );
    // Every occurrence whose value differs from the value that stayed (stored earlier or just inserted) is a conflict.
    const log = st.paramLog;
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.paramConflicts} (run_id, key, value, event_id, logged_at)
       SELECT i.run_id, i.key, i.value, i.event_id, i.logged_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::bigint[]) AS i(run_id, key, value, event_id, logged_at)
       JOIN ${s}.${PG_TABLES.params} p ON p.run_id = i.run_id AND p.key = i.key
       WHERE p.value <> i.value
       ON CONFLICT DO NOTHING`,
      [col(log, 'run_id'), col(log, 'key'), col(log, 'value'), col(log, 'event_id'), col(log, 'logged_at')],
    );
  }

  const tags = byKey(st.tags);
  const setTags = tags.filter((t) => t.value !== null);
  const deletedTags = tags.filter((t) => t.value === null);
  if (setTags.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.tags} (run_id, key, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (run_id, key) DO UPDATE SET value = EXCLUDED.value`,
      [col(setTags, 'run_id'), col(setTags, 'key'), col(setTags, 'value')],
    );
  }
  if (deletedTags.length > 0) {
    await c.query(
      `DELETE FROM ${s}.${PG_TABLES.tags} t USING unnest($1::text[], $2::text[]) AS d(run_id, key) WHERE t.run_id = d.run_id AND t.key = d.key`,
      [col(deletedTags, 'run_id'), col(deletedTags, 'key')],
    );
  }

  const metrics = byKey(st.metrics);
  if (metrics.length > 0) {
    // Row comparison on float8 orders NaN above every number, as compareValues() does.
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.latestMetrics} AS m (run_id, key, value, step, "timestamp", min_value, max_value, count)
       SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::bigint[], $5::bigint[], $6::float8[], $7::float8[], $8::bigint[])
       ON CONFLICT (run_id, key) DO UPDATE SET
         value = CASE WHEN (EXCLUDED.step, EXCLUDED."timestamp", EXCLUDED.value) > (m.step, m."timestamp", m.value) THEN EXCLUDED.value ELSE m.value END,
         step = CASE WHEN (EXCLUDED.step, EXCLUDED."timestamp", EXCLUDED.value) > (m.step, m."timestamp", m.value) THEN EXCLUDED.step ELSE m.step END,
         "timestamp" = CASE WHEN (EXCLUDED.step, EXCLUDED."timestamp", EXCLUDED.value) > (m.step, m."timestamp", m.value) THEN EXCLUDED."timestamp" ELSE m."timestamp" END,
         min_value = LEAST(m.min_value, EXCLUDED.min_value),
         max_value = GREATEST(m.max_value, EXCLUDED.max_value),
         count = m.count + EXCLUDED.count`,
      [
        col(metrics, 'run_id'),
        col(metrics, 'key'),
        col(metrics, 'value'),
        col(metrics, 'step'),
        col(metrics, 'timestamp'),
        col(metrics, 'min_value'),
        col(metrics, 'max_value'),
        col(metrics, 'count'),
      ],
    );
  }

  const artifacts = byKey(st.artifacts);
  if (artifacts.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.artifacts} (run_id, path, uri, size_bytes, sha256, media_type, logged_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[])
       ON CONFLICT (run_id, path) DO UPDATE SET uri = EXCLUDED.uri, size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256,
         media_type = EXCLUDED.media_type, logged_at = EXCLUDED.logged_at`,
      [
        col(artifacts, 'run_id'),
        col(artifacts, 'path'),
        col(artifacts, 'uri'),
        col(artifacts, 'size_bytes'),
        col(artifacts, 'sha256'),
        col(artifacts, 'media_type'),
        col(artifacts, 'logged_at'),
      ],
    );
  }

  const lineage = byKey(st.lineage);
  if (lineage.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.lineage} (run_id, direction, kind, name, version, digest, logged_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
       ON CONFLICT (run_id, direction, kind, name, (COALESCE(version, '')), (COALESCE(digest, ''))) DO NOTHING`,
      [
        col(lineage, 'run_id'),
        col(lineage, 'direction'),
        col(lineage, 'kind'),
        col(lineage, 'name'),
        col(lineage, 'version'),
        col(lineage, 'digest'),
        col(lineage, 'logged_at'),
      ],
    );
  }

  const nodes = byKey(st.graphNodes);
  if (nodes.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.lineageNodes} AS n (node_id, project, kind, name, version, digest, first_seen)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
       ON CONFLICT (node_id) DO UPDATE SET first_seen = EXCLUDED.first_seen WHERE EXCLUDED.first_seen < n.first_seen`,
      [col(nodes, 'node_id'), col(nodes, 'project'), col(nodes, 'kind'), col(nodes, 'name'), col(nodes, 'version'), col(nodes, 'digest'), col(nodes, 'first_seen')],
    );
  }
  const edges = byKey(st.graphEdges);
  if (edges.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.lineageEdges} AS e (src, dst, relation, project, first_seen)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
       ON CONFLICT (src, dst, relation) DO UPDATE SET first_seen = EXCLUDED.first_seen WHERE EXCLUDED.first_seen < e.first_seen`,
      [col(edges, 'src'), col(edges, 'dst'), col(edges, 'relation'), col(edges, 'project'), col(edges, 'first_seen')],
    );
  }

  await writeCollab(c, s, st.collab, byKey);
}

/** Collaboration rows: notes and annotations by their rules in collab.ts over the locked stored rows; the rest LWW. */
async function writeCollab(c: PoolClient, s: string, st: CollabState, byKey: <T>(m: Map<string, T>) => T[]): Promise<void> {
  if (st.notes.length > 0) {
    const ids = [...new Set(st.notes.map((o) => (o.op === 'edit' ? o.note_id : o.row.note_id)))].sort();
    const { rows } = await c.query<Record<string, unknown>>(
      `SELECT note_id::text AS note_id, project, experiment_id, run_id, author, text, created_at, updated_at, edited_by, deleted
       FROM ${s}.${PG_TABLES.notes} WHERE note_id = ANY($1::uuid[]) ORDER BY note_id FOR UPDATE`,
      [ids],
    );
    const stored = new Map<string, NoteRow>();
    for (const r of rows) {
      stored.set(String(r.note_id), {
        note_id: String(r.note_id), project: String(r.project), experiment_id: String(r.experiment_id), run_id: (r.run_id as string | null) ?? null,
        author: String(r.author), text: String(r.text), created_at: Number(r.created_at), updated_at: Number(r.updated_at),
        edited_by: (r.edited_by as string | null) ?? null, deleted: r.deleted === true,
      });
    }
    // Ids are compared as Postgres prints uuids (lowercase).
    const ops = st.notes.map((o) => (o.op === 'edit' ? { ...o, note_id: o.note_id.toLowerCase() } : { ...o, row: { ...o.row, note_id: o.row.note_id.toLowerCase() } }));
    const out = [...applyNoteOps(stored, ops).values()];
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.notes} (note_id, project, experiment_id, run_id, author, text, created_at, updated_at, edited_by, deleted)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::boolean[])
       ON CONFLICT (note_id) DO UPDATE SET author = EXCLUDED.author, text = EXCLUDED.text, created_at = EXCLUDED.created_at,
         updated_at = EXCLUDED.updated_at, edited_by = EXCLUDED.edited_by, deleted = EXCLUDED.deleted`,
      [col(out, 'note_id'), col(out, 'project'), col(out, 'experiment_id'), col(out, 'run_id'), col(out, 'author'), col(out, 'text'),
        col(out, 'created_at'), col(out, 'updated_at'), col(out, 'edited_by'), col(out, 'deleted')],
    );
  }

  if (st.annotations.length > 0) {
    const ids = [...new Set(st.annotations.map((a) => a.annotation_id.toLowerCase()))].sort();
    const { rows } = await c.query<Record<string, unknown>>(
      `SELECT annotation_id::text AS annotation_id, project, run_id, key, step, text, author, created_at, deleted
       FROM ${s}.${PG_TABLES.annotations} WHERE annotation_id = ANY($1::uuid[]) ORDER BY annotation_id FOR UPDATE`,
      [ids],
    );
    const stored = new Map<string, AnnotationRow>();
    for (const r of rows) {
      stored.set(String(r.annotation_id), {
        annotation_id: String(r.annotation_id), project: String(r.project), run_id: String(r.run_id), key: String(r.key), step: Number(r.step),
        text: String(r.text), author: String(r.author), created_at: Number(r.created_at), deleted: r.deleted === true,
      });
    }
    const out = [...applyAnnotationOps(stored, st.annotations.map((a) => ({ ...a, annotation_id: a.annotation_id.toLowerCase() }))).values()];
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.annotations} (annotation_id, project, run_id, key, step, text, author, created_at, deleted)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::boolean[])
       ON CONFLICT (annotation_id) DO UPDATE SET key = EXCLUDED.key, step = EXCLUDED.step, text = EXCLUDED.text, author = EXCLUDED.author,
         created_at = EXCLUDED.created_at, deleted = EXCLUDED.deleted`,
      [col(out, 'annotation_id'), col(out, 'project'), col(out, 'run_id'), col(out, 'key'), col(out, 'step'), col(out, 'text'), col(out, 'author'),
        col(out, 'created_at'), col(out, 'deleted')],
    );
  }

  const stars = byKey(st.stars);
  const starred = stars.filter((r) => r.starred);
  const unstarred = stars.filter((r) => !r.starred);
  if (unstarred.length > 0) {
    await c.query(
      `DELETE FROM ${s}.${PG_TABLES.runStars} t USING unnest($1::text[], $2::text[]) AS d(run_id, principal) WHERE t.run_id = d.run_id AND t.principal = d.principal`,
      [col(unstarred, 'run_id'), col(unstarred, 'principal')],
    );
  }
  if (starred.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.runStars} (run_id, principal, updated_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (run_id, principal) DO UPDATE SET updated_at = EXCLUDED.updated_at`,
      [col(starred, 'run_id'), col(starred, 'principal'), col(starred, 'updated_at')],
    );
  }

  const pins = byKey(st.pins);
  if (pins.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.runPins} (run_id, pinned, updated_at) SELECT * FROM unnest($1::text[], $2::boolean[], $3::bigint[])
       ON CONFLICT (run_id) DO UPDATE SET pinned = EXCLUDED.pinned, updated_at = EXCLUDED.updated_at`,
      [col(pins, 'run_id'), col(pins, 'pinned'), col(pins, 'updated_at')],
    );
  }

  const views = byKey(st.views);
  const saved = views.filter((v) => !v.deleted);
  const dropped = views.filter((v) => v.deleted);
  if (dropped.length > 0) {
    await c.query(
      `DELETE FROM ${s}.${PG_TABLES.savedViews} t USING unnest($1::text[], $2::text[]) AS d(experiment_id, name) WHERE t.experiment_id = d.experiment_id AND t.name = d.name`,
      [col(dropped, 'experiment_id'), col(dropped, 'name')],
    );
  }
  if (saved.length > 0) {
    await c.query(
      `INSERT INTO ${s}.${PG_TABLES.savedViews} (experiment_id, name, project, filter, order_by, columns, author, updated_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::text[], $8::bigint[])
       ON CONFLICT (experiment_id, name) DO UPDATE SET filter = EXCLUDED.filter, order_by = EXCLUDED.order_by, columns = EXCLUDED.columns,
         author = EXCLUDED.author, updated_at = EXCLUDED.updated_at`,
      [col(saved, 'experiment_id'), col(saved, 'name'), col(saved, 'project'), col(saved, 'filter'),
        saved.map((v) => JSON.stringify(v.order_by)), saved.map((v) => JSON.stringify(v.columns)), col(saved, 'author'), col(saved, 'updated_at')],
    );
  }
}

function col<T, K extends keyof T>(rows: readonly T[], key: K): T[K][] {
  return rows.map((r) => r[key]);
}
