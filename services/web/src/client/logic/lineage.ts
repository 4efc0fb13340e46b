import type { LineageDirection, LineageEdgeView, LineageNodeView } from './wire';

/** The lineage page's route: `#/lineage/<kind>/<name>?version=&digest=&direction=&depth=` (name percent-encoded). */
export interface LineageRoute {
  kind: string;
  name: string;
  version: string | null;
  digest: string | null;
  direction: LineageDirection;
  depth: number;
}

export const DEFAULT_LINEAGE_DEPTH = 3;
export const MAX_LINEAGE_DEPTH = 10;

/** What a node's page walks by default: what produced a model or artifact, what used anything else. */
export function defaultDirection(kind: string): LineageDirection {
  return kind === 'model' || kind === 'artifact' ? 'upstream' : 'downstream';
}

export function lineageRoute(node: { kind: string; name: string; version?: string | null; digest?: string | null }, opts: { direction?: LineageDirection; depth?: number } = {}): string {
  const q = new URLSearchParams();
  if (node.version) q.set('version', node.version);
  if (node.digest) q.set('digest', node.digest);
  if (opts.direction) q.set('direction', opts.direction);
  if (opts.depth !== undefined) q.set('depth', String(opts.depth));
  const qs = q.toString();
  return `/lineage/${encodeURIComponent(node.kind)}/${encodeURIComponent(node.name)}${qs ? `?${qs}` : ''}`;
}

/** The route's rest after `/lineage/` (still percent-encoded), or null when it names no node. */
export function parseLineageRoute(rest: string): LineageRoute | null {
  const [path = '', query = ''] = rest.split('?', 2);
  const m = /^([^/]+)\/(.+)$/.exec(path);
  if (m === null) return null;
  const kind = decodeURIComponent(m[1]!);
  const q = new URLSearchParams(query);
  const dir = q.get('direction');
  const direction: LineageDirection = dir === 'upstream' || dir === 'downstream' || dir === 'both' ? dir : defaultDirection(kind);
  const depth = Math.min(MAX_LINEAGE_DEPTH, Math.max(1, Math.trunc(Number(q.get('depth') ?? DEFAULT_LINEAGE_DEPTH)) || DEFAULT_LINEAGE_DEPTH));
  return { kind, name: decodeURIComponent(m[2]!), version: q.get('version'), digest: q.get('digest'), direction, depth };
}

/** The query API path of a lineage answer for the route (`what` = nodes, impact or provenance). */
export function lineageApiPath(what: 'nodes' | 'impact' | 'provenance', r: Pick<LineageRoute, 'kind' | 'name' | 'version' | 'digest'>, q: Record<string, string> = {}): string {
  const p = new URLSearchParams(q);
  if (r.version !== null) p.set('version', r.version);
  if (r.digest !== null) p.set('digest', r.digest);
  const qs = p.toString();
  return `/v1/lineage/${what}/${encodeURIComponent(r.kind)}/${encodeURIComponent(r.name)}${qs ? `?${qs}` : ''}`;
}

export const KIND_COLOURS: Readonly<Record<string, string>> = Object.freeze({
  dataset: '#2563eb',
  code: '#7c3aed',
  run: '#16a34a',
  model: '#ea580c',
  artifact: '#6b7280',
});
const KIND_ORDER = ['dataset', 'code', 'run', 'model', 'artifact'];

/** A node as the drawing needs it (a run view's lineage ref too: kind is any string there). */
export interface NodeLike {
  id: string;
  kind: string;
  name: string;
  version: string | null;
  digest: string | null;
  run?: { run_name: string | null };
}

export function nodeLabel(n: NodeLike): string {
  if (n.kind === 'run') return n.run?.run_name ?? n.name;
  if (n.kind === 'code') return n.name.slice(0, 10);
  const name = n.kind === 'artifact' ? (n.name.split('/').filter((s) => s !== '').pop() ?? n.name) : n.name;
  return n.version ? `${name}@${n.version}` : name;
}

/**
 * Layers of a walk: 0 for the roots, +k for a node k hops downstream (along the edges), −k for k hops upstream
 * (against them). Breadth first from the roots, each node at its first (shortest) layer, so a cycle ends; with
 * `both`, a node reached both ways keeps the way found first. Nodes the given edges do not reach keep ±depth.
 */
export function layerNodes(roots: readonly string[], nodes: readonly Pick<LineageNodeView, 'id' | 'depth'>[], edges: readonly LineageEdgeView[], direction: LineageDirection): Map<string, number> {
  const known = new Set(nodes.map((n) => n.id));
  for (const r of roots) known.add(r);
  const down = new Map<string, string[]>();
  const up = new Map<string, string[]>();
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue;
    (down.get(e.from) ?? down.set(e.from, []).get(e.from)!).push(e.to);
    (up.get(e.to) ?? up.set(e.to, []).get(e.to)!).push(e.from);
  }
  const layer = new Map<string, number>();
  let frontier = [...new Set(roots)];
  for (const r of frontier) layer.set(r, 0);
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      const at = layer.get(id)!;
      const steps: [Map<string, string[]>, number][] = [];
      if (direction !== 'upstream' && at >= 0) steps.push([down, 1]);
      if (direction !== 'downstream' && at <= 0) steps.push([up, -1]);
      for (const [adj, sign] of steps) {
        for (const to of adj.get(id) ?? []) {
          if (layer.has(to)) continue;
          layer.set(to, at + sign);
          next.push(to);
        }
      }
    }
    frontier = next;
  }
  for (const n of nodes) if (!layer.has(n.id)) layer.set(n.id, direction === 'upstream' ? -n.depth : n.depth);
  return layer;
}

export interface PlacedNode<N extends NodeLike = NodeLike> {
  node: N;
  layer: number;
  x: number;
  y: number;
  label: string;
  colour: string;
}

export interface GraphLayout<N extends NodeLike = NodeLike> {
  width: number;
  height: number;
  nodeWidth: number;
  nodeHeight: number;
  nodes: PlacedNode<N>[];
  edges: { edge: LineageEdgeView; d: string }[];
}

export const LAYOUT = Object.freeze({ nodeWidth: 170, nodeHeight: 30, colGap: 70, rowGap: 16, pad: 10 });

/** A left-to-right layered drawing: one column per layer (upstream left), nodes in a column by kind then label. */
export function layoutGraph<N extends NodeLike>(roots: readonly string[], nodes: readonly (N & { depth: number })[], edges: readonly LineageEdgeView[], direction: LineageDirection): GraphLayout<N> {
  const L = LAYOUT;
  const layer = layerNodes(roots, nodes, edges, direction);
  const cols = new Map<number, (N & { depth: number })[]>();
  for (const n of nodes) {
    const l = layer.get(n.id)!;
    (cols.get(l) ?? cols.set(l, []).get(l)!).push(n);
  }
  const order = [...cols.keys()].sort((a, b) => a - b);
  const tallest = Math.max(0, ...[...cols.values()].map((c) => c.length));
  const height = L.pad * 2 + tallest * L.nodeHeight + Math.max(0, tallest - 1) * L.rowGap;
  const placed: PlacedNode<N>[] = [];
  const at = new Map<string, PlacedNode<N>>();
  order.forEach((l, ci) => {
    const col = cols.get(l)!;
    col.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || nodeLabel(a).localeCompare(nodeLabel(b)) || a.id.localeCompare(b.id));
    const colHeight = col.length * L.nodeHeight + (col.length - 1) * L.rowGap;
    const top = (height - colHeight) / 2;
    col.forEach((n, i) => {
      const p: PlacedNode<N> = { node: n, layer: l, x: L.pad + ci * (L.nodeWidth + L.colGap), y: top + i * (L.nodeHeight + L.rowGap), label: nodeLabel(n), colour: KIND_COLOURS[n.kind] ?? '#374151' };
      placed.push(p);
      at.set(n.id, p);
    });
  });
  const width = L.pad * 2 + order.length * L.nodeWidth + Math.max(0, order.length - 1) * L.colGap;
  const drawn = edges.flatMap((edge) => {
    const a = at.get(edge.from);
    const b = at.get(edge.to);
    if (a === undefined || b === undefined) return [];
    const x1 = a.x + L.nodeWidth;
    const y1 = a.y + L.nodeHeight / 2;
    const x2 = b.x;
    const y2 = b.y + L.nodeHeight / 2;
    const mx = (x1 + x2) / 2;
    return [{ edge, d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}` }];
  });
  return { width, height, nodeWidth: L.nodeWidth, nodeHeight: L.nodeHeight, nodes: placed, edges: drawn };
}

export interface RunNeighbours<N> {
  inputs: N[];
  outputs: N[];
  parents: N[];
  children: N[];
}

/** A run's one-hop neighbours from a depth-1 walk around its node: what went in, what came out, parent and children. */
export function runNeighbours<N extends Pick<LineageNodeView, 'id'>>(runNodeIds: readonly string[], nodes: readonly N[], edges: readonly LineageEdgeView[]): RunNeighbours<N> {
  const self = new Set(runNodeIds);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: RunNeighbours<N> = { inputs: [], outputs: [], parents: [], children: [] };
  const seen = new Set<string>();
  for (const e of edges) {
    const incoming = self.has(e.to) && !self.has(e.from);
    const outgoing = self.has(e.from) && !self.has(e.to);
    const other = byId.get(incoming ? e.from : e.to);
    if ((!incoming && !outgoing) || other === undefined) continue;
    const bucket = e.relation === 'parent' ? (incoming ? out.parents : out.children) : incoming ? out.inputs : out.outputs;
    const key = `${bucket === out.inputs ? 'i' : bucket === out.outputs ? 'o' : bucket === out.parents ? 'p' : 'c'}:${other.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    bucket.push(other);
  }
  return out;
}
