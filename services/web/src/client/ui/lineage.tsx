import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../logic/api';
import { KIND_COLOURS, MAX_LINEAGE_DEPTH, layoutGraph, lineageApiPath, lineageRoute, nodeLabel, runNeighbours, type LineageRoute, type NodeLike } from '../logic/lineage';
import type { ImpactAnswer, LineageAnswer, LineageDirection, LineageEdgeView, LineageNodeView, LineageView, ProvenanceAnswer, RunView } from '../logic/wire';
import { ErrorBox, Status, href, useApp, useLoad } from './shared';

type NodeRef = Omit<NodeLike, 'id'> & { id?: string };

/** A node as a link to its lineage page (a run also links to its run page). */
export function NodeLink(props: { node: NodeRef }) {
  const n = props.node;
  const label = nodeLabel({ id: n.id ?? '', ...n });
  return (
    <span class="node-ref">
      <span class="kind-dot" style={{ background: KIND_COLOURS[n.kind] ?? '#374151' }} />
      <a href={href(lineageRoute(n))} data-node-kind={n.kind} data-node-name={n.name} title={`${n.kind} ${n.name}${n.digest ? ` (${n.digest})` : ''}`}>
        {n.kind}: {label}
      </a>
      {n.kind === 'run' ? (
        <>
          {' '}
          <a class="muted" href={href(`/r/${encodeURIComponent(n.name)}`)}>
            run page
          </a>
        </>
      ) : null}
    </span>
  );
}

function RefList(props: { title: string; name: string; refs: NodeRef[] }) {
  if (props.refs.length === 0) return null;
  return (
    <div data-list={props.name}>
      <h3>{props.title}</h3>
      <ul>
        {props.refs.map((r, i) => (
          <li key={r.id ?? i}>
            <NodeLink node={r} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The run page's lineage: one hop around the run's node (`GET /v1/lineage/nodes/run/:run_id?depth=1`): inputs
 * (datasets, code, models used), outputs (models, artifacts), parent and children. Before the graph has the run
 * (or if the walk fails), the run view's own lineage lists.
 */
export function RunLineagePanel(props: { run: RunView }) {
  const { api } = useApp();
  const id = props.run.run_id;
  const route = { kind: 'run', name: id, version: null, digest: null };
  const { data, error } = useLoad(() => api.get<LineageAnswer>(lineageApiPath('nodes', route, { direction: 'both', depth: '1' })), [id, props.run.lineage.inputs.length + props.run.lineage.outputs.length]);
  const fromRun = (refs: LineageView[]): NodeRef[] => refs.map((r) => ({ ...r }));
  const hop = data
    ? runNeighbours(
        data.roots.map((r) => r.id),
        data.nodes,
        data.edges,
      )
    : { inputs: fromRun(props.run.lineage.inputs), outputs: fromRun(props.run.lineage.outputs), parents: [], children: [] };
  const empty = hop.inputs.length + hop.outputs.length + hop.parents.length + hop.children.length === 0;
  return (
    <div class="panel" data-panel="lineage">
      <h2>
        Lineage <a class="hint" href={href(lineageRoute(route, { direction: 'both' }))}>graph</a>
      </h2>
      {empty ? <p class="muted">none</p> : null}
      <RefList title="Inputs" name="inputs" refs={hop.inputs} />
      <RefList title="Outputs" name="outputs" refs={hop.outputs} />
      <RefList title="Parent" name="parents" refs={hop.parents} />
      <RefList title="Children" name="children" refs={hop.children} />
      {error instanceof ApiError && error.code !== 'LINEAGE_NODE_NOT_FOUND' ? <ErrorBox error={error} /> : null}
    </div>
  );
}

/** The walk as a layered SVG: upstream on the left, the roots in the middle column, downstream on the right. */
export function LineageGraph(props: { roots: string[]; nodes: LineageNodeView[]; edges: LineageEdgeView[]; direction: LineageDirection }) {
  const g = layoutGraph(props.roots, props.nodes, props.edges, props.direction);
  const roots = new Set(props.roots);
  return (
    <svg class="lineage" width={g.width} height={g.height} viewBox={`0 0 ${g.width} ${g.height}`} data-nodes={g.nodes.length} data-edges={g.edges.length}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#9ca3af" />
        </marker>
      </defs>
      {g.edges.map((e) => (
        <path key={`${e.edge.from}-${e.edge.to}-${e.edge.relation}`} d={e.d} class="edge" marker-end="url(#arrow)" data-relation={e.edge.relation}>
          <title>{e.edge.relation}</title>
        </path>
      ))}
      {g.nodes.map((p) => (
        <a key={p.node.id} href={href(lineageRoute(p.node))}>
          <g transform={`translate(${p.x},${p.y})`} data-node-kind={p.node.kind} data-node-name={p.node.name} data-layer={p.layer} class={roots.has(p.node.id) ? 'root' : ''}>
            <rect width={g.nodeWidth} height={g.nodeHeight} rx="5" fill={p.colour} />
            <text x="8" y={g.nodeHeight / 2 + 4}>
              {p.node.kind}: {p.label.length > 20 ? `${p.label.slice(0, 19)}…` : p.label}
            </text>
            <title>{`${p.node.kind} ${p.node.name}${p.node.version ? ` version ${p.node.version}` : ''}${p.node.digest ? ` digest ${p.node.digest}` : ''} (${p.node.project})`}</title>
          </g>
        </a>
      ))}
    </svg>
  );
}

function RunRows(props: { runs: LineageNodeView[]; name: string; params?: boolean }) {
  if (props.runs.length === 0) return <p class="muted">no runs</p>;
  return (
    <table class="grid" data-list={props.name}>
      <thead>
        <tr>
          <th>run</th>
          <th>status</th>
          <th class="num">hops</th>
          <th>experiment</th>
          <th>code</th>
          {props.params ? <th>params</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.runs.map((n) => (
          <tr key={n.id} data-run={n.name}>
            <td>
              <a href={href(`/r/${encodeURIComponent(n.name)}`)}>{n.run?.run_name ?? n.name}</a>
            </td>
            <td>
              <Status status={n.run?.status ?? null} />
            </td>
            <td class="num">{n.depth}</td>
            <td>{n.run ? <a href={href(`/e/${encodeURIComponent(n.run.experiment_id)}`)}>{n.run.experiment_id}</a> : ''}</td>
            <td>
              <code>{n.run?.source.git_commit?.slice(0, 10) ?? ''}</code>
            </td>
            {props.params ? (
              <td>
                {Object.entries(n.run?.params ?? {})
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Impact(props: { route: LineageRoute }) {
  const { api } = useApp();
  const r = props.route;
  const { data, error } = useLoad(() => api.get<ImpactAnswer>(lineageApiPath('impact', r, { depth: String(r.depth) })), [r.kind, r.name, r.version, r.digest, r.depth]);
  return (
    <div class="panel" data-panel="impact">
      <h2>Impact (what used it)</h2>
      <ErrorBox error={error} />
      {data ? (
        <>
          <RunRows runs={data.runs} name="impact-runs" />
          <RefList title="Models" name="impact-models" refs={data.models} />
          {data.next_page_token !== null ? <p class="muted">more beyond this page</p> : null}
        </>
      ) : null}
    </div>
  );
}

function Provenance(props: { route: LineageRoute }) {
  const { api } = useApp();
  const r = props.route;
  const { data, error } = useLoad(() => api.get<ProvenanceAnswer>(lineageApiPath('provenance', r, { depth: String(r.depth) })), [r.kind, r.name, r.version, r.digest, r.depth]);
  return (
    <div class="panel" data-panel="provenance">
      <h2>Provenance (what produced it)</h2>
      <ErrorBox error={error} />
      {data ? (
        <>
          <RunRows runs={data.runs} name="provenance-runs" params />
          <RefList title="Datasets" name="provenance-datasets" refs={data.datasets} />
          <RefList title="Models" name="provenance-models" refs={data.models} />
          <RefList title="Code" name="provenance-code" refs={data.code} />
          <RefList title="Artifacts" name="provenance-artifacts" refs={data.artifacts} />
          {data.next_page_token !== null ? <p class="muted">more beyond this page</p> : null}
        </>
      ) : null}
    </div>
  );
}

const GRAPH_PAGE = 500;

/** `#/lineage/<kind>/<name>`: the walk from that node as a graph (paged: "more" appends the next page), and its lists. */
export function LineagePage(props: { route: LineageRoute }) {
  const { api, reportAuth } = useApp();
  const r = props.route;
  const [graph, setGraph] = useState<LineageAnswer | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const load = (token: string | null) => {
    const q: Record<string, string> = { direction: r.direction, depth: String(r.depth), max_results: String(GRAPH_PAGE) };
    if (token !== null) q.page_token = token;
    api.get<LineageAnswer>(lineageApiPath('nodes', r, q)).then(
      (a) => (setError(null), setGraph((prev) => (token === null || prev === null ? a : { ...a, nodes: prev.nodes.concat(a.nodes), edges: prev.edges.concat(a.edges) }))),
      (err: Error) => {
        if (err instanceof ApiError && err.authProblem) reportAuth(err);
        setError(err);
      },
    );
  };
  useEffect(() => (setGraph(null), load(null)), [r.kind, r.name, r.version, r.digest, r.direction, r.depth]);
  const go = (change: Partial<Pick<LineageRoute, 'direction' | 'depth'>>) => {
    location.hash = href(lineageRoute(r, { direction: change.direction ?? r.direction, depth: change.depth ?? r.depth }));
  };
  return (
    <section>
      <p class="crumbs">
        <a href={href('/')}>Experiments</a> / lineage
      </p>
      <h1>
        <span class="kind-dot" style={{ background: KIND_COLOURS[r.kind] ?? '#374151' }} /> {r.kind}: {r.name}
        {r.version ? <span class="muted"> version {r.version}</span> : null}
        {r.digest ? <span class="muted"> digest {r.digest}</span> : null}
      </h1>
      <div class="lineage-controls">
        {(['upstream', 'both', 'downstream'] as const).map((d) => (
          <button key={d} type="button" class={`button ${d === r.direction ? 'active' : ''}`} data-direction={d} aria-pressed={d === r.direction} onClick={() => go({ direction: d })}>
            {d}
          </button>
        ))}
        <label>
          depth{' '}
          <select name="lineage-depth" value={String(r.depth)} onChange={(e) => go({ depth: Number((e.target as HTMLSelectElement).value) })}>
            {Array.from({ length: MAX_LINEAGE_DEPTH }, (_, i) => i + 1).map((d) => (
              <option key={d} value={String(d)}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <span class="legend">
          {Object.entries(KIND_COLOURS).map(([k, c]) => (
            <span key={k}>
              <span class="kind-dot" style={{ background: c }} /> {k}
            </span>
          ))}
        </span>
      </div>
      <ErrorBox error={error} />
      {graph ? (
        <div class="panel graph" data-panel="graph">
          <LineageGraph roots={graph.roots.map((n) => n.id)} nodes={graph.nodes} edges={graph.edges} direction={r.direction} />
          {graph.next_page_token !== null ? (
            <button type="button" class="link" onClick={() => load(graph.next_page_token)}>
              more nodes
            </button>
          ) : null}
        </div>
      ) : error === null ? (
        <p class="muted">Loading…</p>
      ) : null}
      <div class="columns">
        {r.direction !== 'downstream' ? <Provenance route={r} /> : null}
        {r.direction !== 'upstream' ? <Impact route={r} /> : null}
      </div>
    </section>
  );
}
