import { SearchError } from '@trackstream/search';
import type { ClickHouseReader, MetricStats } from './ch-reader';
import type { PostgresReader, RunView } from './pg-reader';
import { ReadModel } from './read-model';

// Pure logic of the facade over stub readers; the SQL itself is exercised against real stores by the query API's tests.
const run = (id: string, params: Record<string, string> = {}): RunView =>
  ({ run_id: id, experiment_id: 'e1', project: 'vision', run_name: null, status: 'FINISHED', params } as unknown as RunView);

function stubs(runs: RunView[], stats = new Map<string, Map<string, MetricStats>>()) {
  const calls: string[] = [];
  const pg = {
    schema: 'public',
    loadRuns: async (ids: readonly string[]) => {
      calls.push(`loadRuns ${ids.join(',')}`);
      return runs.filter((r) => ids.includes(r.run_id));
    },
    query: async (text: string) => {
      calls.push(`query ${text.slice(0, 6)}`);
      return [{ run_id: 'r1' }];
    },
  } as unknown as PostgresReader;
  const ch = {
    metricStats: async () => {
      calls.push('metricStats');
      return stats;
    },
  } as unknown as ClickHouseReader;
  return { model: new ReadModel(pg, ch), calls };
}

describe('ReadModel', () => {
  it('compareRuns: names every asked id it did not find, in order, and never reads ClickHouse then', async () => {
    const { model, calls } = stubs([run('r1')]);
    const out = await model.compareRuns({ runIds: ['bad id', 'r1', 'r9'], lookup: ['r1', 'r9'], metricKeys: null, goals: {}, projects: null });
    expect(out).toEqual({ missing: ['bad id', 'r9'] });
    expect(calls).toEqual(['loadRuns r1,r9']);
  });

  it('compareRuns: params side by side and the best run per metric for its goal', async () => {
    const s = (last: number): MetricStats => ({ last, last_step: 1, min: last, max: last, mean: last, count: 1 });
    const stats = new Map([
      ['r1', new Map([['loss', s(0.5)]])],
      ['r2', new Map([['loss', s(0.2)]])],
    ]);
    const { model } = stubs([run('r1', { lr: '0.1' }), run('r2', { lr: '0.2', bs: '8' })], stats);
    const out = await model.compareRuns({ runIds: ['r1', 'r2'], lookup: ['r1', 'r2'], metricKeys: null, goals: {}, projects: null });
    if (out.missing !== null) throw new Error('expected a comparison');
    expect(out.comparison.params).toEqual({ bs: { r1: null, r2: '8' }, lr: { r1: '0.1', r2: '0.2' } });
    expect(out.comparison.metrics.loss!.best_run_id).toBe('r2');
  });

  it('prepareSearch: a bad filter throws at once, before any store is asked', () => {
    const { model, calls } = stubs([]);
    expect(() => model.prepareSearch({ experimentIds: ['e1'], filter: 'metrics.loss <' })).toThrow(SearchError);
    expect(calls).toEqual([]);
  });

  it('prepareSearch: execute() runs the compiled statement, then loads the page', async () => {
    const { model, calls } = stubs([run('r1')]);
    const out = await model.prepareSearch({ experimentIds: ['e1'] }).execute();
    expect(out.runs.map((r) => r.run_id)).toEqual(['r1']);
    expect(out.nextPageToken).toBeNull();
    expect(calls).toEqual(['query SELECT', 'loadRuns r1']);
  });
});
