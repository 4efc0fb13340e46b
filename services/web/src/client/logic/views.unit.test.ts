import { sortOf, viewState } from './views';

describe('saved views', () => {
  it('sets the filter, the first order_by term as the sort, and the columns the table knows', () => {
    expect(viewState({ filter: "metrics.loss < 0.5 AND params.lr = '0.01'", order_by: ['metrics.loss ASC', 'attributes.start_time DESC'], columns: ['params.lr', 'metrics.loss', 'bogus'] })).toEqual({
      filter: "metrics.loss < 0.5 AND params.lr = '0.01'",
      sort: { column: 'metrics.loss', desc: false },
      columns: ['params.lr', 'metrics.loss'],
    });
    expect(viewState({ filter: '  ', order_by: [], columns: [] })).toEqual({ filter: null, sort: null, columns: null });
  });

  it('reads quoted keys and the default direction', () => {
    expect(sortOf('params.`my key` DESC')).toEqual({ column: 'params.my key', desc: true });
    expect(sortOf('Metrics.acc')).toEqual({ column: 'metrics.acc', desc: false });
    expect(sortOf('loss DESC')).toBeNull();
  });
});
