import type { Pool } from 'pg';
import { PG_TABLES, quoteSchema } from '@trackstream/postgres';
import { jsonNumber, jsonNumberOrNull, pgFloat, toNumberOrNull, type JsonNumber } from './values';

/** The run shape of `GET /v1/runs/:run_id` and of search results. */
export interface RunView {
  run_id: string;
  experiment_id: string;
  project: string;
  run_name: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  user: string | null;
  parent_run_id: string | null;
  source: { git_commit: string | null; git_branch: string | null; git_dirty: boolean | null; entry_point: string | null; host: string | null };
  params: Record<string, string>;
  /** Later values logged for an existing param key: kept visible, never applied (a param is immutable). */
  param_conflicts: Record<string, { value: string; event_id: string; logged_at: number }[]>;
  tags: Record<string, string>;
  metrics: Record<string, { value: JsonNumber; step: number; timestamp: number; min: JsonNumber | null; max: JsonNumber | null; count: number }>;
  artifacts: ArtifactView[];
  lineage: { inputs: LineageView[]; outputs: LineageView[] };
  /** Collaboration (schema version 3): live notes oldest first, annotations by key and step, who starred it, pinned. */
  notes: NoteView[];
  annotations: AnnotationView[];
  stars: string[];
  pinned: boolean;
}

export interface NoteView {
  note_id: string;
  author: string;
  text: string;
  created_at: number;
  updated_at: number;
  edited_by: string | null;
}

export interface AnnotationView {
  annotation_id: string;
  key: string;
  step: number;
  text: string;
  author: string;
  created_at: number;
}

/** A run's own columns (no params, metrics, …): the head of RunView, and the run of a lineage node. */
export type RunHead = Pick<RunView, 'run_id' | 'experiment_id' | 'project' | 'run_name' | 'status' | 'start_time' | 'end_time' | 'user' | 'parent_run_id' | 'source'>;

/** The columns runHead reads, for statements that want no more. */
export const RUN_HEAD_COLUMNS = `run_id, experiment_id, project, run_name, status, start_time, end_time, user_name, parent_run_id,
  source_git_commit, source_git_branch, source_git_dirty, source_entry_point, source_host`;

export function runHead(r: Record<string, unknown>): RunHead {
  return {
    run_id: String(r.run_id),
    experiment_id: String(r.experiment_id),
    project: String(r.project),
    run_name: (r.run_name as string | null) ?? null,
    status: (r.status as string | null) ?? null,
    start_time: toNumberOrNull(r.start_time),
    end_time: toNumberOrNull(r.end_time),
    user: (r.user_name as string | null) ?? null,
    parent_run_id: (r.parent_run_id as string | null) ?? null,
    source: {
      git_commit: (r.source_git_commit as string | null) ?? null,
      git_branch: (r.source_git_branch as string | null) ?? null,
      git_dirty: (r.source_git_dirty as boolean | null) ?? null,
      entry_point: (r.source_entry_point as string | null) ?? null,
      host: (r.source_host as string | null) ?? null,
    },
  };
}

export const NOTE_COLUMNS = 'note_id::text AS note_id, author, text, created_at, updated_at, edited_by';

export function noteView(r: Record<string, unknown>): NoteView {
  return {
    note_id: String(r.note_id), author: String(r.author), text: String(r.text), created_at: Number(r.created_at), updated_at: Number(r.updated_at),
    edited_by: (r.edited_by as string | null) ?? null,
  };
}

/** One file of a run's artifact tree (the last artifact_logged for its path). */
/** Bytes logged (every file of every run's tree) vs bytes stored (each distinct blob once). */
export interface ArtifactUsage {
  project: string;
  files: number;
  bytes_logged: number;
  blobs: number;
  bytes_stored: number;
}

export interface ArtifactView {
  path: string;
  uri: string;
  size_bytes: number | null;
  sha256: string | null;
  media_type: string | null;
  logged_at: number;
}

export interface LineageView {
  kind: string;
  name: string;
  version: string | null;
  digest: string | null;
}

export interface ExperimentView {
  experiment_id: string;
  project: string;
  name: string | null;
  description: string | null;
  created_at: number | null;
  tags: Record<string, string>;
}

/** An experiment with its lifecycle (schema version 2): what MLflow's Experiment needs. */
export interface ExperimentRecord extends ExperimentView {
  /** 'active' or 'deleted' (never deleted reads as active). */
  lifecycle_stage: 'active' | 'deleted';
  last_update_time: number | null;
}

/** The few facts of a run a write needs before it appends (which experiment and project, whether it is deleted). */
export interface RunLifecycle {
  run_id: string;
  experiment_id: string;
  project: string;
  status: string | null;
  lifecycle_stage: 'active' | 'deleted';
}

type Row = Record<string, unknown>;
const stage = (v: unknown): 'active' | 'deleted' => (v === 'deleted' ? 'deleted' : 'active');

/** A project scope as a bound parameter: null = every project, [] = none. */
function scopeParam(projects: readonly string[] | null): string[] | null {
  return projects === null ? null : [...projects];
}

/** Read-side access to the Postgres projection (tables in docs/projectors.md). Values are always bound. */
export class PostgresReader {
  private readonly s: string;

  constructor(
    /** Shared with the read model's other Postgres readers (lineage, collaboration). */
    readonly pool: Pool,
    readonly schema: string,
  ) {
    this.s = quoteSchema(schema);
  }

  /**
   * Runs by id, in the order asked; unknown ids are left out, and so are runs outside `projects` (null = every
   * project): access control scopes here, so a hidden run is indistinguishable from an unknown one.
   */
  async loadRuns(runIds: readonly string[], projects: readonly string[] | null): Promise<RunView[]> {
    if (runIds.length === 0 || (projects !== null && projects.length === 0)) return [];
    const ids = [...new Set(runIds)];
    const s = this.s;
    const q = (text: string) => this.pool.query(text, [ids]).then((r) => r.rows as Row[]);
    const [runs, params, conflicts, tags, metrics, artifacts, lineage, notes, annotations, stars, pins] = await Promise.all([
      this.pool
        .query(`SELECT * FROM ${s}.${PG_TABLES.runs} WHERE run_id = ANY($1) AND ($2::text[] IS NULL OR project = ANY($2))`, [ids, projects === null ? null : [...projects]])
        .then((r) => r.rows as Row[]),
      q(`SELECT run_id, key, value FROM ${s}.${PG_TABLES.params} WHERE run_id = ANY($1)`),
      q(`SELECT run_id, key, value, event_id::text AS event_id, logged_at FROM ${s}.${PG_TABLES.paramConflicts} WHERE run_id = ANY($1) ORDER BY logged_at, event_id`),
      q(`SELECT run_id, key, value FROM ${s}.${PG_TABLES.tags} WHERE run_id = ANY($1)`),
      q(`SELECT run_id, key, value, step, "timestamp", min_value, max_value, count FROM ${s}.${PG_TABLES.latestMetrics} WHERE run_id = ANY($1)`),
      q(`SELECT run_id, path, uri, size_bytes, sha256, media_type, logged_at FROM ${s}.${PG_TABLES.artifacts} WHERE run_id = ANY($1) ORDER BY path`),
      q(`SELECT run_id, direction, kind, name, version, digest FROM ${s}.${PG_TABLES.lineage} WHERE run_id = ANY($1) ORDER BY logged_at, kind, name`),
      q(`SELECT run_id, ${NOTE_COLUMNS} FROM ${s}.${PG_TABLES.notes} WHERE run_id = ANY($1) AND NOT deleted ORDER BY created_at, note_id`),
      q(`SELECT run_id, annotation_id::text AS annotation_id, key, step, text, author, created_at FROM ${s}.${PG_TABLES.annotations}
         WHERE run_id = ANY($1) AND NOT deleted ORDER BY key, step, created_at, annotation_id`),
      q(`SELECT run_id, principal FROM ${s}.${PG_TABLES.runStars} WHERE run_id = ANY($1) ORDER BY principal`),
      q(`SELECT run_id, pinned FROM ${s}.${PG_TABLES.runPins} WHERE run_id = ANY($1)`),
    ]);
    const byId = new Map<string, RunView>();
    for (const r of runs) {
      byId.set(String(r.run_id), {
        ...runHead(r),
        params: {},
        param_conflicts: {},
        tags: {},
        metrics: {},
        artifacts: [],
        lineage: { inputs: [], outputs: [] },
        notes: [],
        annotations: [],
        stars: [],
        pinned: false,
      });
    }
    for (const r of notes) byId.get(String(r.run_id))?.notes.push(noteView(r));
    for (const r of annotations) {
      byId.get(String(r.run_id))?.annotations.push({
        annotation_id: String(r.annotation_id), key: String(r.key), step: Number(r.step), text: String(r.text), author: String(r.author), created_at: Number(r.created_at),
      });
    }
    for (const r of stars) byId.get(String(r.run_id))?.stars.push(String(r.principal));
    for (const r of pins) {
      const run = byId.get(String(r.run_id));
      if (run) run.pinned = r.pinned === true;
    }
    for (const r of params) {
      const run = byId.get(String(r.run_id));
      if (run) run.params[String(r.key)] = String(r.value);
    }
    for (const r of conflicts) {
      const run = byId.get(String(r.run_id));
      if (!run) continue;
      (run.param_conflicts[String(r.key)] ??= []).push({ value: String(r.value), event_id: String(r.event_id), logged_at: Number(r.logged_at) });
    }
    for (const r of tags) {
      const run = byId.get(String(r.run_id));
      if (run) run.tags[String(r.key)] = String(r.value);
    }
    for (const r of metrics) {
      const run = byId.get(String(r.run_id));
      if (!run) continue;
      run.metrics[String(r.key)] = {
        value: jsonNumber(pgFloat(r.value) as number),
        step: Number(r.step),
        timestamp: Number(r.timestamp),
        min: jsonNumberOrNull(pgFloat(r.min_value)),
        max: jsonNumberOrNull(pgFloat(r.max_value)),
        count: Number(r.count),
      };
    }
    for (const r of artifacts) {
      const run = byId.get(String(r.run_id));
      if (!run) continue;
      run.artifacts.push(artifactView(r));
    }
    for (const r of lineage) {
      const run = byId.get(String(r.run_id));
      if (!run) continue;
      const ref: LineageView = { kind: String(r.kind), name: String(r.name), version: (r.version as string | null) ?? null, digest: (r.digest as string | null) ?? null };
      (r.direction === 'output' || r.direction === 'outputs' ? run.lineage.outputs : run.lineage.inputs).push(ref);
    }
    return ids.map((id) => byId.get(id)).filter((r): r is RunView => r !== undefined);
  }

  /**
   * Experiments ordered by id after `afterId` (keyset pagination), optionally of one project, always within
   * `projects` (null = every project; access control's scope).
   */
  async listExperiments(opts: { project: string | null; projects: readonly string[] | null; afterId: string | null; limit: number }): Promise<ExperimentView[]> {
    const rows = (
      await this.pool.query(
        `SELECT experiment_id, project, name, description, created_at FROM ${this.s}.${PG_TABLES.experiments}
         WHERE ($1::text IS NULL OR project = $1) AND ($2::text IS NULL OR experiment_id > $2) AND ($4::text[] IS NULL OR project = ANY($4))
         ORDER BY experiment_id LIMIT $3`,
        [opts.project, opts.afterId, opts.limit, scopeParam(opts.projects)],
      )
    ).rows as Row[];
    return this.withTags(rows);
  }

  /** By id; when no id matches, by name (optionally within a project); only within `projects` (null = every project). */
  async findExperiments(idOrName: string, project: string | null, projects: readonly string[] | null): Promise<{ byId: boolean; experiments: ExperimentView[] }> {
    const scope = scopeParam(projects);
    const byId = (
      await this.pool.query(
        `SELECT experiment_id, project, name, description, created_at FROM ${this.s}.${PG_TABLES.experiments}
         WHERE experiment_id = $1 AND ($2::text IS NULL OR project = $2) AND ($3::text[] IS NULL OR project = ANY($3))`,
        [idOrName, project, scope],
      )
    ).rows as Row[];
    if (byId.length > 0) return { byId: true, experiments: await this.withTags(byId) };
    const byName = (
      await this.pool.query(
        `SELECT experiment_id, project, name, description, created_at FROM ${this.s}.${PG_TABLES.experiments}
         WHERE name = $1 AND ($2::text IS NULL OR project = $2) AND ($3::text[] IS NULL OR project = ANY($3)) ORDER BY project, experiment_id LIMIT 100`,
        [idOrName, project, scope],
      )
    ).rows as Row[];
    return { byId: false, experiments: await this.withTags(byName) };
  }

  /** Every experiment of one project with its lifecycle, or only the one with `experimentId`. */
  async experimentRecords(project: string, experimentId?: string): Promise<ExperimentRecord[]> {
    const rows = (
      await this.pool.query(
        `SELECT experiment_id, project, name, description, created_at, lifecycle_stage, last_update_time FROM ${this.s}.experiments
         WHERE project = $1 AND ($2::text IS NULL OR experiment_id = $2)`,
        [project, experimentId ?? null],
      )
    ).rows as Row[];
    const views = await this.withTags(rows);
    return views.map((v, i) => ({ ...v, lifecycle_stage: stage(rows[i]!.lifecycle_stage), last_update_time: toNumberOrNull(rows[i]!.last_update_time) }));
  }

  /** Runs' lifecycle facts by id (unknown and out-of-scope runs left out). */
  async runLifecycles(runIds: readonly string[], projects: readonly string[] | null): Promise<Map<string, RunLifecycle>> {
    if (runIds.length === 0) return new Map();
    const rows = (
      await this.pool.query(
        `SELECT run_id, experiment_id, project, status, lifecycle_stage FROM ${this.s}.runs WHERE run_id = ANY($1) AND ($2::text[] IS NULL OR project = ANY($2))`,
        [[...runIds], scopeParam(projects)],
      )
    ).rows as Row[];
    return new Map(
      rows.map((r) => [
        String(r.run_id),
        { run_id: String(r.run_id), experiment_id: String(r.experiment_id), project: String(r.project), status: (r.status as string | null) ?? null, lifecycle_stage: stage(r.lifecycle_stage) },
      ]),
    );
  }

  /** The values already logged for these param keys of one run (a param is immutable: its first value). */
  async paramValues(runId: string, keys: readonly string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows = (await this.pool.query(`SELECT key, value FROM ${this.s}.params WHERE run_id = $1 AND key = ANY($2)`, [runId, [...keys]])).rows as Row[];
    return new Map(rows.map((r) => [String(r.key), String(r.value)]));
  }

  private async withTags(rows: Row[]): Promise<ExperimentView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => String(r.experiment_id));
    const tags = (await this.pool.query(`SELECT experiment_id, key, value FROM ${this.s}.${PG_TABLES.experimentTags} WHERE experiment_id = ANY($1)`, [ids])).rows as Row[];
    const out = rows.map((r) => ({
      experiment_id: String(r.experiment_id),
      project: String(r.project),
      name: (r.name as string | null) ?? null,
      description: (r.description as string | null) ?? null,
      created_at: toNumberOrNull(r.created_at),
      tags: {} as Record<string, string>,
    }));
    const byId = new Map(out.map((e) => [e.experiment_id, e]));
    for (const t of tags) {
      const e = byId.get(String(t.experiment_id));
      if (e) e.tags[String(t.key)] = String(t.value);
    }
    return out;
  }

  /** partition → next offset to read, of the Postgres projector. */
  async checkpoints(topic: string): Promise<Map<number, bigint>> {
    const rows = (await this.pool.query(`SELECT partition, next_offset::text AS next_offset FROM ${this.s}.${PG_TABLES.checkpoints} WHERE topic = $1`, [topic])).rows as Row[];
    return new Map(rows.map((r) => [Number(r.partition), BigInt(String(r.next_offset))]));
  }

  /** Run count, running runs and last activity per experiment id, within `projects`; 0 runs for an unknown or hidden one. */
  async experimentSummaries(
    experimentIds: readonly string[],
    projects: readonly string[] | null,
  ): Promise<Record<string, { run_count: number; active_runs: number; last_activity: number | null }>> {
    const ids = [...new Set(experimentIds)];
    const rows = (
      await this.pool.query(
        `SELECT experiment_id, count(*)::int AS run_count, count(*) FILTER (WHERE status = 'RUNNING')::int AS active_runs,
                max(GREATEST(start_time, end_time)) AS last_activity
           FROM ${this.s}.${PG_TABLES.runs} WHERE experiment_id = ANY($1) AND ($2::text[] IS NULL OR project = ANY($2))
          GROUP BY experiment_id`,
        [ids, scopeParam(projects)],
      )
    ).rows as Row[];
    const summaries: Record<string, { run_count: number; active_runs: number; last_activity: number | null }> = {};
    for (const id of ids) summaries[id] = { run_count: 0, active_runs: 0, last_activity: null };
    for (const r of rows) {
      summaries[String(r.experiment_id)] = { run_count: Number(r.run_count), active_runs: Number(r.active_runs), last_activity: toNumberOrNull(r.last_activity) };
    }
    return summaries;
  }

  /** Resolves when the server answers. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** A statement compiled elsewhere (the search compiler), with its values bound. */
  async query(text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.pool.query(text, values)).rows as Record<string, unknown>[];
  }

  /** Run id → project, for reads that go to ClickHouse (its tables are keyed by project first); only within `projects`. */
  async runProjects(runIds: readonly string[], projects: readonly string[] | null): Promise<Map<string, string>> {
    const rows = (
      await this.pool.query(`SELECT run_id, project FROM ${this.s}.${PG_TABLES.runs} WHERE run_id = ANY($1) AND ($2::text[] IS NULL OR project = ANY($2))`, [
        [...runIds],
        scopeParam(projects),
      ])
    ).rows as Row[];
    return new Map(rows.map((r) => [String(r.run_id), String(r.project)]));
  }

  /** The run's project and experiment, when it exists inside `projects`. */
  async runScope(runId: string, projects: readonly string[] | null): Promise<{ project: string; experiment_id: string } | null> {
    const rows = (
      await this.pool.query(`SELECT project, experiment_id FROM ${this.s}.${PG_TABLES.runs} WHERE run_id = $1 AND ($2::text[] IS NULL OR project = ANY($2))`, [runId, scopeParam(projects)])
    ).rows as Row[];
    return rows.length === 0 ? null : { project: String(rows[0]!.project), experiment_id: String(rows[0]!.experiment_id) };
  }

  /** A run's artifacts whose path is `prefix` or lies under `prefix/` (null: all), in path order. */
  async runArtifacts(runId: string, prefix: string | null): Promise<ArtifactView[]> {
    const like = prefix === null ? null : `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
    const rows = (
      await this.pool.query(
        `SELECT path, uri, size_bytes, sha256, media_type, logged_at FROM ${this.s}.${PG_TABLES.artifacts}
         WHERE run_id = $1 AND ($2::text IS NULL OR path = $3 OR path LIKE $2) ORDER BY path`,
        [runId, like, prefix],
      )
    ).rows as Row[];
    return rows.map(artifactView);
  }

  /**
   * Dedup figures per project: files in the runs' artifact trees and their bytes (logged) vs distinct blobs and
   * their bytes (stored), plus the total over `projects` (a blob shared by two projects is stored once).
   */
  async artifactUsage(projects: readonly string[] | null): Promise<{ projects: ArtifactUsage[]; total: Omit<ArtifactUsage, 'project'> }> {
    const blobs = `SELECT r.project, a.sha256, max(a.size_bytes) AS size, count(*) AS n FROM ${this.s}.${PG_TABLES.artifacts} a
       JOIN ${this.s}.${PG_TABLES.runs} r USING (run_id) WHERE a.sha256 IS NOT NULL AND ($1::text[] IS NULL OR r.project = ANY($1))
       GROUP BY r.project, a.sha256`;
    const sums = `sum(n)::bigint AS files, coalesce(sum(n * size), 0)::bigint AS bytes_logged, count(*)::bigint AS blobs, coalesce(sum(size), 0)::bigint AS bytes_stored`;
    const scope = [scopeParam(projects)];
    const [perProject, total] = await Promise.all([
      this.pool.query(`SELECT project, ${sums} FROM (${blobs}) b GROUP BY project ORDER BY project`, scope),
      this.pool.query(`SELECT ${sums} FROM (SELECT sha256, max(size) AS size, sum(n) AS n FROM (${blobs}) b GROUP BY sha256) t`, scope),
    ]);
    const usage = (r: Row) => ({ files: Number(r.files ?? 0), bytes_logged: Number(r.bytes_logged ?? 0), blobs: Number(r.blobs ?? 0), bytes_stored: Number(r.bytes_stored ?? 0) });
    return { projects: (perProject.rows as Row[]).map((r) => ({ project: String(r.project), ...usage(r) })), total: usage((total.rows as Row[])[0] ?? {}) };
  }

  /** Every sha256 some artifact_logged event references (the garbage collector's keep set). */
  async referencedDigests(): Promise<Set<string>> {
    const rows = (await this.pool.query(`SELECT DISTINCT sha256 FROM ${this.s}.${PG_TABLES.artifacts} WHERE sha256 IS NOT NULL`)).rows as Row[];
    return new Set(rows.map((r) => String(r.sha256)));
  }
}

function artifactView(r: Row): ArtifactView {
  return {
    path: String(r.path),
    uri: String(r.uri),
    size_bytes: toNumberOrNull(r.size_bytes),
    sha256: (r.sha256 as string | null) ?? null,
    media_type: (r.media_type as string | null) ?? null,
    logged_at: Number(r.logged_at),
  };
}
