import type { Pool } from 'pg';
import { INDEXED_VALUE_PREFIX, NODE_KINDS, PG_TABLES, quoteSchema, type NodeKind } from '@trackstream/postgres';
import { RUN_HEAD_COLUMNS, runHead, type RunHead } from './pg-reader';

/** Bounds of a lineage walk, the same for every caller (the query API validates against these). */
export const LINEAGE_LIMITS = Object.freeze({ maxDepth: 10, maxResults: 5000, maxRoots: 100 });

export type LineageDirection = 'upstream' | 'downstream' | 'both';
export const LINEAGE_DIRECTIONS: readonly LineageDirection[] = ['upstream', 'downstream', 'both'];
export { NODE_KINDS as LINEAGE_NODE_KINDS };

export type LineageRunSummary = RunHead & {
  /** Only in provenance answers. */
  params?: Record<string, string>;
};

export interface LineageNodeView {
  id: string;
  project: string;
  kind: NodeKind;
  name: string;
  version: string | null;
  digest: string | null;
  /** Hops from the nearest root (0 = a root). */
  depth: number;
  /** Run nodes whose run is projected. */
  run?: LineageRunSummary;
}

export interface LineageEdgeView {
  from: string;
  to: string;
  relation: string;
}

export interface LineageRootQuery {
  kind: NodeKind;
  name: string;
  version: string | null;
  digest: string | null;
  project: string | null;
}

export interface LineageWalk {
  roots: readonly string[];
  direction: LineageDirection;
  depth: number;
  /** Only nodes of these kinds are listed (the walk goes through every kind); null = all. */
  kinds: readonly NodeKind[] | null;
  /** Keyset: the last (depth, id) of the previous page. */
  after: { depth: number; id: string } | null;
  limit: number;
  /** Add each run's params (provenance). */
  withParams: boolean;
}

export interface LineagePage {
  nodes: LineageNodeView[];
  /** Traversed edges whose later endpoint (by depth, then id) is on this page: each edge once over all pages. */
  edges: LineageEdgeView[];
  more: boolean;
}

type Row = Record<string, unknown>;

/**
 * Traversal of the lineage graph (tables lineage_nodes / lineage_edges of @trackstream/postgres). One statement
 * per page: two recursive walks (downstream along the edges, upstream against them), each bounded by the depth;
 * `UNION` drops rows already reached at that depth, so cycles end; each node is listed once at its shortest
 * distance. Values are always bound.
 */
export class LineageReader {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
  ) {
    this.s = quoteSchema(schema);
  }

  /** Nodes of that kind and name (narrowed by version, digest, project), within `projects` (null = every project). */
  async roots(q: LineageRootQuery, projects: readonly string[] | null): Promise<LineageNodeView[]> {
    const rows = (
      await this.pool.query(
        `SELECT node_id, project, kind, name, version, digest FROM ${this.s}.${PG_TABLES.lineageNodes}
         WHERE kind = $1 AND left(name, ${INDEXED_VALUE_PREFIX}) = left($2, ${INDEXED_VALUE_PREFIX}) AND name = $2
           AND ($3::text IS NULL OR version = $3) AND ($4::text IS NULL OR digest = $4)
           AND ($5::text IS NULL OR project = $5) AND ($6::text[] IS NULL OR project = ANY($6))
         ORDER BY project, node_id LIMIT ${LINEAGE_LIMITS.maxRoots}`,
        [q.kind, q.name, q.version, q.digest, q.project, projects === null ? null : [...projects]],
      )
    ).rows as Row[];
    return rows.map((r) => nodeView(r, 0));
  }

  async walk(w: LineageWalk): Promise<LineagePage> {
    const s = this.s;
    const down = w.direction === 'upstream' ? 0 : w.depth;
    const up = w.direction === 'downstream' ? 0 : w.depth;
    const { rows } = await this.pool.query(
      `WITH RECURSIVE
         down(node_id, depth) AS (
           SELECT unnest($1::text[]), 0
           UNION
           SELECT e.dst, d.depth + 1 FROM down d JOIN ${s}.${PG_TABLES.lineageEdges} e ON e.src = d.node_id WHERE d.depth < $2),
         up(node_id, depth) AS (
           SELECT unnest($1::text[]), 0
           UNION
           SELECT e.src, u.depth + 1 FROM up u JOIN ${s}.${PG_TABLES.lineageEdges} e ON e.dst = u.node_id WHERE u.depth < $3),
         dmin AS (SELECT node_id, min(depth) AS depth FROM down GROUP BY node_id),
         umin AS (SELECT node_id, min(depth) AS depth FROM up GROUP BY node_id),
         reached AS (SELECT node_id, min(depth) AS depth FROM (SELECT * FROM dmin UNION ALL SELECT * FROM umin) x GROUP BY node_id),
         page AS (
           SELECT n.node_id, n.project, n.kind, n.name, n.version, n.digest, r.depth
           FROM reached r JOIN ${s}.${PG_TABLES.lineageNodes} n ON n.node_id = r.node_id
           WHERE ($4::text[] IS NULL OR n.kind = ANY($4)) AND ($5::int IS NULL OR (r.depth, r.node_id) > ($5::int, $6::text))
           ORDER BY r.depth, r.node_id LIMIT $7),
         -- Traversed edges touching the page (down: from a node walked below the bound; up: to one), each given to
         -- the page of its later endpoint by (depth, id): every traversed edge is listed once, with or after both ends.
         touching AS (
           SELECT e.src, e.dst, e.relation FROM page p JOIN ${s}.${PG_TABLES.lineageEdges} e ON e.dst = p.node_id JOIN dmin d ON d.node_id = e.src AND d.depth < $2
           UNION
           SELECT e.src, e.dst, e.relation FROM page p JOIN ${s}.${PG_TABLES.lineageEdges} e ON e.src = p.node_id JOIN dmin d ON d.node_id = e.src AND d.depth < $2
           UNION
           SELECT e.src, e.dst, e.relation FROM page p JOIN ${s}.${PG_TABLES.lineageEdges} e ON e.src = p.node_id JOIN umin u ON u.node_id = e.dst AND u.depth < $3
           UNION
           SELECT e.src, e.dst, e.relation FROM page p JOIN ${s}.${PG_TABLES.lineageEdges} e ON e.dst = p.node_id JOIN umin u ON u.node_id = e.dst AND u.depth < $3),
         page_edges AS (
           SELECT t.src, t.dst, t.relation, CASE WHEN (a.depth, a.node_id) > (b.depth, b.node_id) THEN t.src ELSE t.dst END AS far
           FROM touching t JOIN reached a ON a.node_id = t.src JOIN reached b ON b.node_id = t.dst)
       SELECT (SELECT coalesce(json_agg(p ORDER BY p.depth, p.node_id), '[]') FROM page p) AS nodes,
              (SELECT coalesce(json_agg(pe ORDER BY pe.src, pe.dst, pe.relation), '[]') FROM page_edges pe) AS edges`,
      [w.roots, down, up, w.kinds === null ? null : [...w.kinds], w.after?.depth ?? null, w.after?.id ?? '', w.limit + 1],
    );
    const all = (rows[0] as { nodes: Row[] }).nodes.map((r) => nodeView(r, Number(r.depth)));
    const more = all.length > w.limit;
    const nodes = all.slice(0, w.limit);
    const onPage = new Set(nodes.map((n) => n.id));
    // Edges of the one extra row (fetched to know whether there is more) belong to the next page.
    const edges: LineageEdgeView[] = (rows[0] as { edges: Row[] }).edges
      .filter((e) => onPage.has(String(e.far)))
      .map((e) => ({ from: String(e.src), to: String(e.dst), relation: String(e.relation) }));
    await this.attachRuns(nodes, w.withParams);
    return { nodes, edges, more };
  }

  /** Run summaries (and params) for the page's run nodes, in one query each. */
  private async attachRuns(nodes: LineageNodeView[], withParams: boolean): Promise<void> {
    const runNodes = nodes.filter((n) => n.kind === 'run');
    if (runNodes.length === 0) return;
    const ids = [...new Set(runNodes.map((n) => n.name))];
    const projects = [...new Set(runNodes.map((n) => n.project))];
    const [runs, params] = await Promise.all([
      this.pool.query(
        `SELECT ${RUN_HEAD_COLUMNS} FROM ${this.s}.${PG_TABLES.runs} WHERE run_id = ANY($1) AND project = ANY($2)`,
        [ids, projects],
      ).then((r) => r.rows as Row[]),
      withParams ? this.pool.query(`SELECT run_id, key, value FROM ${this.s}.${PG_TABLES.params} WHERE run_id = ANY($1) ORDER BY key`, [ids]).then((r) => r.rows as Row[]) : [],
    ]);
    const byKey = new Map<string, LineageRunSummary>();
    for (const r of runs) {
      const summary: LineageRunSummary = runHead(r);
      if (withParams) summary.params = {};
      byKey.set(`${r.project}\u0000${r.run_id}`, summary);
    }
    const byId = new Map([...byKey.values()].map((v) => [v.run_id, v]));
    for (const p of params) {
      const run = byId.get(String(p.run_id));
      if (run?.params) run.params[String(p.key)] = String(p.value);
    }
    for (const n of runNodes) {
      const run = byKey.get(`${n.project}\u0000${n.name}`);
      if (run) n.run = run;
    }
  }
}

function nodeView(r: Row, depth: number): LineageNodeView {
  return {
    id: String(r.node_id),
    project: String(r.project),
    kind: String(r.kind) as NodeKind,
    name: String(r.name),
    version: (r.version as string | null) ?? null,
    digest: (r.digest as string | null) ?? null,
    depth,
  };
}
