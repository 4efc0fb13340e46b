import { createHash } from 'node:crypto';
import type { StoredEvent } from '@trackstream/events';

/**
 * The lineage graph as pure functions: what an event adds to the graph of datasets, models, code commits, runs and
 * artifacts. Nodes and edges are only ever added (the graph is the union of everything the log says); both carry
 * the earliest `occurred_at` that mentioned them, so any batching or replay order gives the same rows.
 *
 * Edges point the way data flows:
 * - `input`:    ref → run     (lineage_recorded inputs; the MLflow server's log-inputs datasets arrive this way)
 * - `output`:   run → ref     (lineage_recorded outputs)
 * - `artifact`: run → artifact (artifact_logged; the artifact node is named by its uri, digest = sha256)
 * - `code`:     code → run    (run_started source.git_commit)
 * - `parent`:   parent run → child run (run_started parent_run_id)
 */

export const NODE_KINDS = ['dataset', 'model', 'code', 'run', 'artifact'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
export const EDGE_RELATIONS = ['input', 'output', 'artifact', 'code', 'parent'] as const;
export type EdgeRelation = (typeof EDGE_RELATIONS)[number];

export interface GraphNodeRow {
  node_id: string;
  project: string;
  kind: NodeKind;
  name: string;
  version: string | null;
  digest: string | null;
  first_seen: number;
}

export interface GraphEdgeRow {
  src: string;
  dst: string;
  relation: EdgeRelation;
  project: string;
  first_seen: number;
}

export type GraphChange = { kind: 'graph_node'; row: GraphNodeRow } | { kind: 'graph_edge'; row: GraphEdgeRow };

/**
 * A node's identity: a hash of (project, kind, name, version, digest), so it is the same in every replay and
 * short enough to index whatever the name's length (names may be 5000 characters).
 */
export function nodeId(project: string, kind: NodeKind, name: string, version: string | null, digest: string | null): string {
  return createHash('sha256').update(JSON.stringify([project, kind, name, version, digest])).digest('hex').slice(0, 32);
}

function node(project: string, kind: NodeKind, name: string, version: string | null, digest: string | null, at: number): GraphNodeRow {
  return { node_id: nodeId(project, kind, name, version, digest), project, kind, name, version, digest, first_seen: at };
}

/** A lineage ref's node; a run is always its run node (a version or digest on a run ref is not part of it). */
function refNode(project: string, ref: { kind: NodeKind; name: string; version: string | null; digest: string | null }, at: number): GraphNodeRow {
  return ref.kind === 'run' ? node(project, 'run', ref.name, null, null, at) : node(project, ref.kind, ref.name, ref.version, ref.digest, at);
}

/** The graph changes of one event (none for most types). */
export function graphChanges(event: StoredEvent): GraphChange[] {
  if (event.run_id === null) return [];
  const at = event.occurred_at;
  const project = event.project;
  const run = node(project, 'run', event.run_id, null, null, at);
  const out: GraphChange[] = [];
  const link = (from: GraphNodeRow, to: GraphNodeRow, relation: EdgeRelation) => {
    out.push({ kind: 'graph_node', row: from }, { kind: 'graph_node', row: to });
    out.push({ kind: 'graph_edge', row: { src: from.node_id, dst: to.node_id, relation, project, first_seen: at } });
  };
  switch (event.type) {
    case 'lineage_recorded':
      for (const ref of event.payload.inputs) link(refNode(project, ref, at), run, 'input');
      for (const ref of event.payload.outputs) link(run, refNode(project, ref, at), 'output');
      break;
    case 'artifact_logged':
      link(run, node(project, 'artifact', event.payload.uri, null, event.payload.sha256, at), 'artifact');
      break;
    case 'run_started': {
      const p = event.payload;
      if (p.source.git_commit !== null) link(node(project, 'code', p.source.git_commit, null, null, at), run, 'code');
      if (p.parent_run_id !== null) link(node(project, 'run', p.parent_run_id, null, null, at), run, 'parent');
      break;
    }
    default:
      break;
  }
  return out;
}

/** Merges a graph change into the batch's maps: the earliest sighting of each node and edge stays. */
export function foldGraph(nodes: Map<string, GraphNodeRow>, edges: Map<string, GraphEdgeRow>, c: GraphChange): void {
  if (c.kind === 'graph_node') {
    const prev = nodes.get(c.row.node_id);
    if (prev === undefined || c.row.first_seen < prev.first_seen) nodes.set(c.row.node_id, c.row);
    return;
  }
  const key = `${c.row.src}\u0000${c.row.dst}\u0000${c.row.relation}`;
  const prev = edges.get(key);
  if (prev === undefined || c.row.first_seen < prev.first_seen) edges.set(key, c.row);
}
