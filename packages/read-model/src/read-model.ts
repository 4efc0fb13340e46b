import type { ClickHouseClient } from '@clickhouse/client';
import { Pool } from 'pg';
import { DEFAULT_PG_SCHEMA } from '@trackstream/config';
import type { LogPositions } from '@trackstream/events';
import { compileSearch, type SearchRequest } from '@trackstream/search';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import type { AuditEntry, ClickHouseReader, HistoryPoint, MetricStats } from './ch-reader';
import { WHOLE_SERIES, type AuditSubject, type StepRange } from './ch-queries';
import { compareMetric, type Goal, type MetricComparison } from './compare';
import { toReadError } from './errors';
import { coalesced, waitForPositions, type CheckpointSource } from './freshness';
import { openClickHouseReader } from './open';
import { PostgresReader, type ArtifactView, type ExperimentRecord, type ExperimentView, type NoteView, type RunLifecycle, type RunView } from './pg-reader';
import { CollabReader, type SavedViewView } from './collab-reader';
import { LineageReader, type LineageNodeView, type LineagePage, type LineageRootQuery, type LineageWalk } from './lineage-reader';

export interface ReadModelOptions {
  /** postgres://… of the database the Postgres projector writes. */
  pgUrl: string;
  /** Schema of the projection tables (as the projector's). Default DEFAULT_PG_SCHEMA ('public'). */
  pgSchema?: string;
  /** Default 8. */
  pgPoolSize?: number;
  /** ClickHouse HTTP URL; its path names the database (as the projector's). */
  clickhouseUrl: string;
  /** Overrides the URL's database. */
  clickhouseDatabase?: string;
  logger?: Logger;
}

export const READ_MODEL_DEFAULTS = Object.freeze({ pgSchema: DEFAULT_PG_SCHEMA, pgPoolSize: 8, pgConnectionTimeoutMs: 5_000 });

/** Which projection stores a read needs, so a read-your-writes wait waits for exactly those. */
export interface StoreSet {
  postgres: boolean;
  clickhouse: boolean;
}

/** A run search, compiled (a bad filter, order or page token has already thrown its SearchError) and ready to run. */
export interface PreparedSearch {
  execute(): Promise<{ runs: RunView[]; nextPageToken: string | null }>;
}

export interface RunComparison {
  runs: Pick<RunView, 'run_id' | 'experiment_id' | 'project' | 'run_name' | 'status'>[];
  /** param key → run id → value (null: the run has no such param). */
  params: Record<string, Record<string, string | null>>;
  metrics: Record<string, MetricComparison>;
}

export interface ExperimentSummary {
  run_count: number;
  active_runs: number;
  last_activity: number | null;
}

/**
 * The read model: every read of the projections behind one object. The HTTP layers (query API, MLflow server, the
 * UI's streams) parse a request, call one method here and answer; none of them holds a pool, spells a table or
 * runs SQL. `projects` is always the caller's scope (null = every project, [] = none): a hidden run or experiment
 * is indistinguishable from an unknown one.
 */
export class ReadModel {
  private readonly pgCheckpoints: CheckpointSource;
  private readonly chCheckpoints: CheckpointSource;
  private readonly lineage: LineageReader;
  private readonly collab: CollabReader;

  constructor(
    private readonly pg: PostgresReader,
    private readonly ch: ClickHouseReader,
    private readonly resources: { pool: Pool; clickhouse: ClickHouseClient } | null = null,
  ) {
    // Concurrent waits share the checkpoint read already in flight.
    this.pgCheckpoints = coalesced((topic) => pg.checkpoints(topic));
    this.chCheckpoints = coalesced((topic) => ch.checkpoints(topic));
    this.lineage = new LineageReader(pg.pool, pg.schema);
    this.collab = new CollabReader(pg.pool, pg.schema);
  }

  /** Opens both stores (a pg Pool, the ClickHouse adapter's client); close() releases them. */
  static open(raw: ReadModelOptions): ReadModel {
    const d = READ_MODEL_DEFAULTS;
    const log = raw.logger ?? noopLogger;
    const pool = new Pool({ connectionString: raw.pgUrl, max: raw.pgPoolSize ?? d.pgPoolSize, connectionTimeoutMillis: d.pgConnectionTimeoutMs });
    pool.on('error', (err) => log.warn('idle postgres connection failed', { err: err.message }));
    const { reader, client } = openClickHouseReader({ url: raw.clickhouseUrl, ...(raw.clickhouseDatabase === undefined ? {} : { database: raw.clickhouseDatabase }) });
    return new ReadModel(new PostgresReader(pool, raw.pgSchema ?? d.pgSchema), reader, { pool, clickhouse: client });
  }

  /** Postgres schema of the projection tables. */
  get schema(): string {
    return this.pg.schema;
  }

  // Runs and experiments (Postgres).

  loadRuns(runIds: readonly string[], projects: readonly string[] | null): Promise<RunView[]> {
    return guard(this.pg.loadRuns(runIds, projects));
  }

  listExperiments(opts: { project: string | null; projects: readonly string[] | null; afterId: string | null; limit: number }): Promise<ExperimentView[]> {
    return guard(this.pg.listExperiments(opts));
  }

  findExperiments(idOrName: string, project: string | null, projects: readonly string[] | null): Promise<{ byId: boolean; experiments: ExperimentView[] }> {
    return guard(this.pg.findExperiments(idOrName, project, projects));
  }

  runProjects(runIds: readonly string[], projects: readonly string[] | null): Promise<Map<string, string>> {
    return guard(this.pg.runProjects(runIds, projects));
  }

  /** Every experiment of one project with its lifecycle (or only `experimentId`): MLflow's experiment reads. */
  experimentRecords(project: string, experimentId?: string): Promise<ExperimentRecord[]> {
    return guard(this.pg.experimentRecords(project, experimentId));
  }

  /** Which experiment and project each run is of, and whether it is deleted: what a write checks first. */
  runLifecycles(runIds: readonly string[], projects: readonly string[] | null): Promise<Map<string, RunLifecycle>> {
    return guard(this.pg.runLifecycles(runIds, projects));
  }

  /** The values already logged for these param keys of one run. */
  paramValues(runId: string, keys: readonly string[]): Promise<Map<string, string>> {
    return guard(this.pg.paramValues(runId, keys));
  }

  /** Run count, running runs and last activity per experiment id (0 runs for an unknown or hidden one). */
  experimentSummaries(experimentIds: readonly string[], projects: readonly string[] | null): Promise<Record<string, ExperimentSummary>> {
    return guard(this.pg.experimentSummaries(experimentIds, projects));
  }

  // Artifacts (Postgres).

  /** The run's project and experiment id, or null when it is unknown or outside `projects`. */
  runScope(runId: string, projects: readonly string[] | null): Promise<{ project: string; experiment_id: string } | null> {
    return guard(this.pg.runScope(runId, projects));
  }

  /** A run's artifacts at `prefix` or under `prefix/` (null: the whole tree), in path order; scope with runScope first. */
  runArtifacts(runId: string, prefix: string | null): Promise<ArtifactView[]> {
    return guard(this.pg.runArtifacts(runId, prefix));
  }

  /** Dedup figures (bytes logged vs stored) per project in scope, and their total. */
  artifactUsage(projects: readonly string[] | null): ReturnType<PostgresReader['artifactUsage']> {
    return guard(this.pg.artifactUsage(projects));
  }

  /** Every blob digest an artifact_logged event references, in any project. */
  referencedDigests(): Promise<Set<string>> {
    return guard(this.pg.referencedDigests());
  }

  // Collaboration (Postgres): a run's notes, annotations and stars come with loadRuns.

  /** The experiment's own live notes; the caller has checked the experiment is in its scope. */
  experimentNotes(experimentId: string): Promise<NoteView[]> {
    return guard(this.collab.experimentNotes(experimentId));
  }

  savedViews(experimentId: string): Promise<SavedViewView[]> {
    return guard(this.collab.savedViews(experimentId));
  }

  // Lineage graph (Postgres, lineage-reader.ts).

  /** The nodes of that kind and name (narrowed by version, digest, project) within `projects`. */
  lineageRoots(q: LineageRootQuery, projects: readonly string[] | null): Promise<LineageNodeView[]> {
    return guard(this.lineage.roots(q, projects));
  }

  /** One page of a bounded walk from `w.roots`. */
  lineageWalk(w: LineageWalk): Promise<LineagePage> {
    return guard(this.lineage.walk(w));
  }

  // Search (@trackstream/search compiles, Postgres runs).

  /** Compiles at once (SearchError on a bad request, before any wait); execute() runs it and loads the page's runs. */
  prepareSearch(request: Omit<SearchRequest, 'schema'>): PreparedSearch {
    const compiled = compileSearch({ ...request, schema: this.pg.schema });
    return {
      execute: () =>
        guard(
          (async () => {
            const page = compiled.page(await this.pg.query(compiled.text, compiled.values));
            return { runs: await this.pg.loadRuns(page.runIds, request.projects ?? null), nextPageToken: page.nextPageToken };
          })(),
        ),
    };
  }

  /** The experiment's most recently started runs (at most `limit`). */
  recentRuns(experimentId: string, projects: string[] | null, limit: number): Promise<RunView[]> {
    return this.prepareSearch({ experimentIds: [experimentId], projects, orderBy: ['attributes.start_time DESC'], maxResults: limit })
      .execute()
      .then((r) => r.runs);
  }

  // Metrics (ClickHouse).

  /** `range`: a span of steps (a zoomed chart), bucketed over that span only. */
  metricHistory(project: string, runId: string, key: string, maxPoints: number, range: StepRange = WHOLE_SERIES): Promise<{ points: HistoryPoint[]; downsampled: boolean }> {
    return guard(this.ch.metricHistory(project, runId, key, maxPoints, range));
  }

  // Audit (ClickHouse events table).

  /** A run's or an experiment's audit timeline, `limit` events after log offset `afterOffset` (ClickHouseReader.auditEvents). */
  auditEvents(project: string, subject: AuditSubject, afterOffset: bigint | null, limit: number): Promise<AuditEntry[]> {
    return guard(this.ch.auditEvents(project, subject, afterOffset, limit));
  }

  metricHistoryPage(project: string, runId: string, key: string, offset: number, limit: number): Promise<{ points: HistoryPoint[]; more: boolean }> {
    return guard(this.ch.metricHistoryPage(project, runId, key, offset, limit));
  }

  metricStats(projects: readonly string[], runIds: readonly string[], keys: readonly string[] | null): Promise<Map<string, Map<string, MetricStats>>> {
    return guard(this.ch.metricStats(projects, runIds, keys));
  }

  /**
   * Runs side by side: their params, and per metric key (the asked ones, else every key any of them logged) each
   * run's summary and the best run for the key's goal. `lookup` are the ids that may exist (the caller has checked
   * the id grammar); every asked id not found is in `missing`, in the order asked.
   */
  async compareRuns(opts: {
    runIds: readonly string[];
    lookup: readonly string[];
    metricKeys: readonly string[] | null;
    goals: Readonly<Record<string, Goal>>;
    projects: readonly string[] | null;
  }): Promise<{ missing: string[] } | { missing: null; comparison: RunComparison }> {
    return guard(this.compare(opts));
  }

  private async compare(opts: Parameters<ReadModel['compareRuns']>[0]): Promise<{ missing: string[] } | { missing: null; comparison: RunComparison }> {
    const runs = await this.pg.loadRuns(opts.lookup, opts.projects);
    if (runs.length < opts.runIds.length) {
      const known = new Set(runs.map((r) => r.run_id));
      return { missing: opts.runIds.filter((id) => !known.has(id)) };
    }
    const keys = opts.metricKeys;
    const stats = await this.ch.metricStats([...new Set(runs.map((r) => r.project))], opts.runIds, keys);
    const params: Record<string, Record<string, string | null>> = {};
    for (const key of [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort()) {
      params[key] = Object.fromEntries(runs.map((r) => [r.run_id, r.params[key] ?? null]));
    }
    const metricKeys = keys ?? [...new Set([...stats.values()].flatMap((m) => [...m.keys()]))].sort();
    const metrics = Object.fromEntries(metricKeys.map((k) => [k, compareMetric(k, opts.runIds, stats, opts.goals[k])]));
    return {
      missing: null,
      comparison: {
        runs: runs.map((r) => ({ run_id: r.run_id, experiment_id: r.experiment_id, project: r.project, run_name: r.run_name, status: r.status })),
        params,
        metrics,
      },
    };
  }

  // Freshness.

  /** Both projectors' checkpoints (partition → next offset) of `topic`. */
  async checkpoints(topic: string): Promise<{ postgres: Map<number, bigint>; clickhouse: Map<number, bigint> }> {
    const [postgres, clickhouse] = await guard(Promise.all([this.pg.checkpoints(topic), this.ch.checkpoints(topic)]));
    return { postgres, clickhouse };
  }

  /**
   * Read-your-writes: waits (at most timeoutMs) until the given stores cover `positions`; false when they did not.
   * `pollMs`: how often the checkpoints are read meanwhile (default waitForPositions' 20 ms; concurrent waits share each read).
   */
  waitFor(positions: LogPositions, stores: StoreSet, timeoutMs: number, pollMs?: number): Promise<boolean> {
    const sources: CheckpointSource[] = [];
    if (stores.postgres) sources.push(this.pgCheckpoints);
    if (stores.clickhouse) sources.push(this.chCheckpoints);
    return waitForPositions(sources, positions, { timeoutMs, ...(pollMs === undefined ? {} : { pollMs }) });
  }

  /** Whether each store answers. */
  async health(): Promise<{ postgres: boolean; clickhouse: boolean }> {
    const [pg, ch] = await Promise.allSettled([this.pg.ping(), this.ch.ping()]);
    return { postgres: pg.status === 'fulfilled', clickhouse: ch.status === 'fulfilled' && ch.value };
  }

  async close(): Promise<void> {
    if (this.resources) await Promise.allSettled([this.resources.pool.end(), this.resources.clickhouse.close()]);
  }
}

/** Every store read reports an unreachable store as StoreUnavailableError (retriable); other failures pass as they are. */
function guard<T>(read: Promise<T>): Promise<T> {
  return read.catch((err: unknown) => {
    throw toReadError(err);
  });
}
