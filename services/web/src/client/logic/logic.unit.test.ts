import { availableColumns, cellValue, columnId, nextSort, orderBy, parseColumnId, visibleColumns, type RunRow } from './columns';
import { differingParams } from './compare';
import { filterErrorView, normalizeFilter } from './filter';
import { parallelView } from './pcoords';
import { alignSeries, applyStreamPoints, historyPath, maxPointsFor, runStreamPath, seriesOf, zoomSpan } from './series';
import { SseParser } from './sse';

const run = (id: string, p: Partial<RunRow> = {}): RunRow => ({ run_id: id, run_name: id, status: 'RUNNING', start_time: 1000, end_time: null, user: null, params: {}, tags: {}, metrics: {}, ...p });

describe('SSE parser', () => {
  it('splits events across chunks, joins data lines, keeps the last id, skips comments', () => {
    const p = new SseParser();
    expect(p.push('retry: 500\n\n: heartbeat\n\nid: a\nevent: points\nda')).toEqual([]);
    expect(p.push('ta: {"x":1}\r\ndata: 2\r\n\r\nevent: run\ndata: {}\n\n')).toEqual([
      { event: 'points', data: '{"x":1}\n2', id: 'a' },
      { event: 'run', data: '{}', id: 'a' },
    ]);
    expect(p.lastEventId).toBe('a');
    expect(p.retryMs).toBe(500);
  });
});

describe('filter box', () => {
  it('marks the character the server points at, or the end of the filter', () => {
    expect(filterErrorView('metrics.a > x', { message: 'bad', details: { position: 12 } }).mark).toEqual({ before: 'metrics.a > ', at: 'x', after: '' });
    expect(filterErrorView('metrics.a >', { message: 'bad', details: { position: 11 } }).mark).toEqual({ before: 'metrics.a >', at: ' ', after: '' });
    expect(filterErrorView('a', { message: 'bad', details: { position: 9 } }).mark).toBeNull();
    expect(normalizeFilter('   ')).toBeNull();
  });
});

describe('column model', () => {
  const runs = [run('a', { params: { lr: '0.1' }, metrics: { loss: { value: 0.5, step: 1 } }, tags: { team: 'x', 'mlflow.user': 'u' } }), run('b', { params: { depth: '3' } })];
  it('offers attributes, then metrics, params and tags (mlflow.* tags left out), sorted', () => {
    expect(availableColumns(runs).map(columnId)).toEqual(['attributes.run_name', 'attributes.status', 'attributes.start_time', 'attributes.duration', 'metrics.loss', 'params.depth', 'params.lr', 'tags.team']);
  });
  it('shows a chosen set that still exists, else the defaults', () => {
    const av = availableColumns(runs);
    expect(visibleColumns(av, ['params.lr', 'params.gone']).map(columnId)).toEqual(['params.lr']);
    expect(visibleColumns(av, null, { metrics: 1, params: 1 }).map(columnId)).toContain('metrics.loss');
    expect(cellValue(runs[0]!, parseColumnId('metrics.loss')!)).toBe(0.5);
    expect(cellValue(runs[1]!, parseColumnId('params.lr')!)).toBeNull();
  });
  it('sorts desc, then asc, then clears; quotes keys the grammar cannot take bare', () => {
    const s1 = nextSort(null, 'metrics.val/acc');
    expect(orderBy(s1)).toEqual(['metrics.`val/acc` DESC']);
    expect(orderBy(nextSort(s1, 'metrics.val/acc'))).toEqual(['metrics.`val/acc` ASC']);
    expect(nextSort({ column: 'x', desc: false }, 'x')).toBeNull();
    expect(orderBy(null)).toEqual(['attributes.start_time DESC']);
  });
});

describe('series and downsampling requests', () => {
  it('asks two points per pixel, between 200 and the server maximum', () => {
    expect(maxPointsFor(50)).toBe(200);
    expect(maxPointsFor(600)).toBe(1200);
    expect(maxPointsFor(1e6)).toBe(10_000);
  });
  it('appends live points in step order, replaces on replace, turns NaN into gaps', () => {
    const s = seriesOf([{ step: 0, value: 1 }, { step: 2, value: 'NaN' }], false);
    expect(s.values).toEqual([1, null]);
    expect(applyStreamPoints(s, { kind: 'append', points: [{ step: 1, value: 5 }] }).steps).toEqual([0, 1, 2]);
    expect(applyStreamPoints(s, { kind: 'replace', points: [{ step: 9, value: 1 }] }).steps).toEqual([9]);
  });
  it('aligns runs on the union of steps', () => {
    expect(alignSeries([seriesOf([{ step: 0, value: 1 }], false), seriesOf([{ step: 1, value: 2 }], false)])).toEqual({ steps: [0, 1], values: [[1, null], [null, 2]] });
  });
  it('finds the params that differ', () => {
    expect([...differingParams({ lr: { a: '1', b: '2' }, opt: { a: 'x', b: 'x' } })]).toEqual(['lr']);
  });
});

describe('zoom requests', () => {
  it('turns a drag over fractional x values into whole steps, or nothing when no step is inside', () => {
    expect(zoomSpan(10.2, 19.7)).toEqual({ from: 11, to: 19 });
    expect(zoomSpan(19.7, 10.2)).toEqual({ from: 11, to: 19 });
    expect(zoomSpan(-3.5, 2)).toEqual({ from: -3, to: 2 });
    expect(zoomSpan(4.1, 4.9)).toBeNull();
    expect(zoomSpan(Number.NaN, 3)).toBeNull();
  });

  it('asks the history endpoint for the zoomed span at the chart size, names and keys escaped', () => {
    expect(historyPath('run 1', 'val/loss', 960)).toBe('/v1/runs/run%201/metrics/val%2Floss?max_points=960');
    expect(runStreamPath('run 1', 600)).toBe('/v1/stream/runs/run%201?max_points=1200');
    expect(runStreamPath('r', 100)).toBe('/v1/stream/runs/r?max_points=200');
    expect(historyPath('r', 'loss', maxPointsFor(300), { from: -5, to: 120 })).toBe('/v1/runs/r/metrics/loss?max_points=600&min_step=-5&max_step=120');
  });
});

describe('parallel coordinates', () => {
  const params = { lr: { a: '0.1', b: '0.3', c: '0.2' }, opt: { a: 'sgd', b: 'adam', c: 'sgd' }, seed: { a: '1', b: '1', c: '1' } };

  it('draws the differing params (numeric linear, others by sorted value) and the metric last', () => {
    const v = parallelView(['a', 'b', 'c'], params, new Set(['lr', 'opt']), { key: 'loss', values: { a: 2, b: 'NaN', c: 1 } });
    expect(v.axes.map((x) => [x.name, x.kind])).toEqual([['lr', 'number'], ['opt', 'category'], ['loss', 'number']]);
    expect(v.axes[1]!.ticks).toEqual([{ label: 'adam', at: 0 }, { label: 'sgd', at: 1 }]);
    expect(v.lines[0]![0]).toBeCloseTo(0);
    expect(v.lines[2]![0]).toBeCloseTo(0.5);
    expect(v.lines[1]![0]).toBeCloseTo(1);
    expect(v.lines.map((l) => l[1])).toEqual([1, 0, 1]);
    // NaN breaks the line on the metric axis; the others span it.
    expect(v.lines.map((l) => l[2])).toEqual([1, null, 0]);
  });

  it('shows every param when none differ, a constant axis in the middle, a missing value as a gap', () => {
    const v = parallelView(['a', 'b'], { seed: { a: '1', b: null } }, new Set(), null);
    expect(v.axes).toEqual([{ name: 'seed', kind: 'number', ticks: [{ label: '1', at: 0.5 }] }]);
    expect(v.lines).toEqual([[0.5], [null]]);
  });
});
