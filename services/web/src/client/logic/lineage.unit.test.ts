import { defaultDirection, layerNodes, layoutGraph, lineageApiPath, lineageRoute, nodeLabel, parseLineageRoute, runNeighbours } from './lineage';
import type { LineageEdgeView } from './wire';

const node = (id: string, kind: string, depth: number, name = id) => ({ id, kind, name, version: null, digest: null, depth });
const edge = (from: string, to: string, relation = 'input'): LineageEdgeView => ({ from, to, relation });

describe('lineage graph layering', () => {
  // dataset d → run r → model m → run r2 (input) ; code c → r
  const nodes = [node('d', 'dataset', 0), node('c', 'code', 1), node('r', 'run', 1), node('m', 'model', 2), node('r2', 'run', 3)];
  const edges = [edge('d', 'r'), edge('c', 'r', 'code'), edge('r', 'm', 'output'), edge('m', 'r2')];

  it('puts downstream nodes to the right of the root, one layer per hop', () => {
    const l = layerNodes(['d'], nodes.filter((n) => n.id !== 'c'), edges, 'downstream');
    expect(Object.fromEntries(l)).toEqual({ d: 0, r: 1, m: 2, r2: 3 });
  });

  it('puts upstream nodes to the left, and with both each side on its own sign', () => {
    expect(Object.fromEntries(layerNodes(['r2'], nodes, edges, 'upstream'))).toEqual({ r2: 0, m: -1, r: -2, d: -3, c: -3 });
    expect(Object.fromEntries(layerNodes(['m'], nodes, edges, 'both'))).toEqual({ m: 0, r2: 1, r: -1, d: -2, c: -2 });
  });

  it('ends on a cycle, each node at its shortest layer', () => {
    const cyc = [node('a', 'run', 0), node('b', 'model', 1), node('x', 'run', 2)];
    const l = layerNodes(['a'], cyc, [edge('a', 'b', 'output'), edge('b', 'x'), edge('x', 'a', 'parent')], 'downstream');
    expect(Object.fromEntries(l)).toEqual({ a: 0, b: 1, x: 2 });
  });

  it('lays columns left to right by layer, nodes of a column by kind, and draws only edges between drawn nodes', () => {
    const g = layoutGraph(['r'], nodes.filter((n) => n.id !== 'r2'), edges, 'both');
    const byId = Object.fromEntries(g.nodes.map((p) => [p.node.id, p]));
    expect(byId.d!.x).toBe(byId.c!.x);
    expect(byId.d!.x).toBeLessThan(byId.r!.x);
    expect(byId.r!.x).toBeLessThan(byId.m!.x);
    expect(byId.d!.y).toBeLessThan(byId.c!.y); // dataset before code
    expect(g.edges.map((e) => `${e.edge.from}>${e.edge.to}`)).toEqual(['d>r', 'c>r', 'r>m']);
    expect(g.width).toBe(10 * 2 + 3 * 170 + 2 * 70);
    expect(byId.r!.colour).not.toBe(byId.d!.colour);
  });
});

describe('a run’s neighbours', () => {
  it('sorts one hop into inputs, outputs, parent and children', () => {
    const nodes = [node('r', 'run', 0), node('d', 'dataset', 1), node('m', 'model', 1), node('p', 'run', 1), node('k', 'run', 1), node('a', 'artifact', 1)];
    const edges = [edge('d', 'r'), edge('r', 'm', 'output'), edge('p', 'r', 'parent'), edge('r', 'k', 'parent'), edge('r', 'a', 'artifact'), edge('d', 'r')];
    const n = runNeighbours(['r'], nodes, edges);
    expect(n.inputs.map((x) => x.id)).toEqual(['d']);
    expect(n.outputs.map((x) => x.id)).toEqual(['m', 'a']);
    expect(n.parents.map((x) => x.id)).toEqual(['p']);
    expect(n.children.map((x) => x.id)).toEqual(['k']);
  });
});

describe('lineage routes and labels', () => {
  it('round-trips a node with slashes and a version through the hash route', () => {
    const route = lineageRoute({ kind: 'dataset', name: 's3://b/mnist/train', version: 'v1' }, { direction: 'upstream', depth: 4 });
    expect(route).toBe('/lineage/dataset/s3%3A%2F%2Fb%2Fmnist%2Ftrain?version=v1&direction=upstream&depth=4');
    expect(parseLineageRoute(route.slice('/lineage/'.length))).toEqual({ kind: 'dataset', name: 's3://b/mnist/train', version: 'v1', digest: null, direction: 'upstream', depth: 4 });
  });

  it('defaults the direction by kind and bounds the depth', () => {
    expect(parseLineageRoute('model/cnn')).toMatchObject({ direction: 'upstream', depth: 3 });
    expect(parseLineageRoute('dataset/x?depth=99')).toMatchObject({ direction: 'downstream', depth: 10 });
    expect(parseLineageRoute('dataset/x?depth=zz')).toMatchObject({ depth: 3 });
    expect(parseLineageRoute('dataset')).toBeNull();
    expect(defaultDirection('artifact')).toBe('upstream');
  });

  it('asks the query API with the name percent-encoded', () => {
    expect(lineageApiPath('impact', { kind: 'dataset', name: 'a/b', version: '2', digest: null }, { depth: '5' })).toBe('/v1/lineage/impact/dataset/a%2Fb?depth=5&version=2');
  });

  it('labels a run by its name, an artifact by its file, a commit short, others with their version', () => {
    expect(nodeLabel(node('c', 'code', 0, '448130deae8cf23fadd204a97bae6930c03551f2'))).toBe('448130deae');
    expect(nodeLabel({ ...node('r', 'run', 0, 'run-1'), run: { run_name: 'trial' } })).toBe('trial');
    expect(nodeLabel(node('a', 'artifact', 0, 's3://b/runs/1/model.pt'))).toBe('model.pt');
    expect(nodeLabel({ ...node('m', 'model', 0, 'cnn'), version: '3' })).toBe('cnn@3');
  });
});
