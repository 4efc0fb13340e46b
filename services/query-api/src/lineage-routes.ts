import type { Express, Request, Response } from 'express';
import {
  LINEAGE_DIRECTIONS, LINEAGE_LIMITS, LINEAGE_NODE_KINDS,
  type LineageDirection, type LineageNodeView, type LineagePage, type LineageRootQuery, type LineageWalk,
} from '@trackstream/read-model';
import type { RouteContext } from './context';
import { QueryError } from './errors';
import { intParam, isStorableText, optionalString } from './params';

// The lineage routes: each is parse → authorize (ctx.authorize) → find the roots in the caller's projects → walk
// one page (the read model) → answer. Nothing here knows a table.

export const DEFAULT_LINEAGE_DEPTH = 3;
export const DEFAULT_LINEAGE_PAGE = 500;
/** Impact and provenance follow the graph as far as the bound allows. */
export const DEFAULT_TRANSITIVE_DEPTH = LINEAGE_LIMITS.maxDepth;

type Kind = LineageRootQuery['kind'];

/** Step 1: the node's kind and name from the path, version/digest/project from the query. */
export function parseRootQuery(req: Request): LineageRootQuery {
  const kind = String(req.params.kind ?? '');
  if (!(LINEAGE_NODE_KINDS as readonly string[]).includes(kind)) {
    throw new QueryError('LINEAGE_KIND_INVALID', `unknown node kind ${JSON.stringify(kind.slice(0, 100))}; expected one of ${LINEAGE_NODE_KINDS.join(', ')}`, {
      field: 'kind', expected: [...LINEAGE_NODE_KINDS],
    });
  }
  const text = (raw: unknown, field: string, max: number) => {
    const v = optionalString(raw, field);
    if (v !== null && !isStorableText(v, max)) throw new QueryError('BAD_REQUEST', `${field} must be at most ${max} characters, without NUL bytes or lone surrogates`, { field });
    return v;
  };
  const name = text(req.params.name, 'name', 5000);
  if (name === null) throw new QueryError('BAD_REQUEST', 'the node name is required', { field: 'name' });
  return { kind: kind as Kind, name, version: text(req.query.version, 'version', 250), digest: text(req.query.digest, 'digest', 250), project: text(req.query.project, 'project', 128) };
}

/** Step 1 (cont.): the walk's shape. */
export function parseWalk(req: Request, dflt: { direction: LineageDirection | null; depth: number }): Omit<LineageWalk, 'roots' | 'kinds' | 'withParams'> {
  let direction = dflt.direction;
  if (direction === null) {
    const raw = optionalString(req.query.direction, 'direction') ?? 'both';
    if (!(LINEAGE_DIRECTIONS as readonly string[]).includes(raw)) {
      throw new QueryError('BAD_REQUEST', `direction must be one of ${LINEAGE_DIRECTIONS.join(', ')}`, { field: 'direction', expected: [...LINEAGE_DIRECTIONS] });
    }
    direction = raw as LineageDirection;
  }
  const depth = intParam(req.query.depth, 'depth', dflt.depth, 1, LINEAGE_LIMITS.maxDepth);
  const limit = intParam(req.query.max_results, 'max_results', DEFAULT_LINEAGE_PAGE, 1, LINEAGE_LIMITS.maxResults);
  const token = optionalString(req.query.page_token, 'page_token');
  return { direction, depth, limit, after: token === null ? null : decodeLineageCursor(token) };
}

/** Opaque keyset cursor: the last (depth, id) of the page. */
export function encodeLineageCursor(last: { depth: number; id: string }): string {
  return Buffer.from(JSON.stringify({ d: last.depth, i: last.id }), 'utf8').toString('base64url');
}

export function decodeLineageCursor(token: string): { depth: number; id: string } {
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) throw new Error();
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { d?: unknown; i?: unknown };
    if (typeof v.d !== 'number' || !Number.isInteger(v.d) || v.d < 0 || typeof v.i !== 'string' || !/^[0-9a-f]{32}$/.test(v.i)) throw new Error();
    return { depth: v.d, id: v.i };
  } catch {
    throw new QueryError('PAGE_TOKEN_INVALID', 'page_token is not a token this API issued', { field: 'page_token' });
  }
}

function nextToken(page: LineagePage): string | null {
  const last = page.nodes[page.nodes.length - 1];
  return page.more && last !== undefined ? encodeLineageCursor(last) : null;
}

const byKind = (nodes: LineageNodeView[], kind: Kind) => nodes.filter((n) => n.kind === kind);

export function registerLineageRoutes(app: Express, ctx: RouteContext): void {
  /** Steps 2–4 shared by the three routes: roots within the caller's projects (404 if none), then one page. */
  const walkFrom = async (req: Request, res: Response, walk: Omit<LineageWalk, 'roots'>) => {
    const root = parseRootQuery(req);
    await ctx.freshness(req, res, { postgres: true, clickhouse: false });
    const roots = await ctx.read.lineageRoots(root, ctx.scope(res).projects);
    if (roots.length === 0) {
      const at = [root.version === null ? '' : ` version ${JSON.stringify(root.version)}`, root.digest === null ? '' : ` digest ${JSON.stringify(root.digest)}`].join('');
      throw new QueryError('LINEAGE_NODE_NOT_FOUND', `no ${root.kind} node named ${JSON.stringify(root.name.slice(0, 200))}${at}`);
    }
    const page = await ctx.read.lineageWalk({ ...walk, roots: roots.map((r) => r.id) });
    return { roots, page };
  };

  app.get('/v1/lineage/nodes/:kind/:name', ctx.authorize, async (req, res) => {
    const walk = parseWalk(req, { direction: null, depth: DEFAULT_LINEAGE_DEPTH });
    const { roots, page } = await walkFrom(req, res, { ...walk, kinds: null, withParams: false });
    res.json({ roots, nodes: page.nodes, edges: page.edges, next_page_token: nextToken(page) });
  });

  app.get('/v1/lineage/impact/:kind/:name', ctx.authorize, async (req, res) => {
    const walk = parseWalk(req, { direction: 'downstream', depth: DEFAULT_TRANSITIVE_DEPTH });
    const { roots, page } = await walkFrom(req, res, { ...walk, direction: 'downstream', kinds: ['run', 'model'], withParams: false });
    const downstream = page.nodes.filter((n) => n.depth > 0);
    res.json({ roots, runs: byKind(downstream, 'run'), models: byKind(downstream, 'model'), next_page_token: nextToken(page) });
  });

  app.get('/v1/lineage/provenance/:kind/:name', ctx.authorize, async (req, res) => {
    const walk = parseWalk(req, { direction: 'upstream', depth: DEFAULT_TRANSITIVE_DEPTH });
    const { roots, page } = await walkFrom(req, res, { ...walk, direction: 'upstream', kinds: null, withParams: true });
    const upstream = page.nodes.filter((n) => n.depth > 0);
    res.json({
      roots,
      runs: byKind(upstream, 'run'),
      datasets: byKind(upstream, 'dataset'),
      models: byKind(upstream, 'model'),
      code: byKind(upstream, 'code'),
      artifacts: byKind(upstream, 'artifact'),
      edges: page.edges,
      next_page_token: nextToken(page),
    });
  });
}
