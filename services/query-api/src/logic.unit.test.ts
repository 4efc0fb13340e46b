import { SearchError } from '@trackstream/search';
import { QueryError, toQueryError } from './errors';
import { coalesced, compareMetric, covers, defaultGoal, jsonNumber, parseClickHouseFloat, waitForPositions } from '@trackstream/read-model';

describe('non-finite numbers', () => {
  it('spell NaN and infinities as the events JSON does', () => {
    expect([NaN, Infinity, -Infinity, 1.5, -0].map(jsonNumber)).toEqual(['NaN', 'Infinity', '-Infinity', 1.5, -0]);
    expect(['nan', 'inf', '-inf', '0.1'].map(parseClickHouseFloat)).toEqual([NaN, Infinity, -Infinity, 0.1]);
  });
});

describe('compare: best run', () => {
  const stats = new Map([
    ['a', new Map([['loss', { last: 0.5, last_step: 9, min: 0.4, max: 2, mean: 1, count: 10 }], ['acc', { last: 0.7, last_step: 9, min: 0, max: 0.7, mean: 0.5, count: 10 }]])],
    ['b', new Map([['loss', { last: 0.3, last_step: 9, min: 0.3, max: 3, mean: 1, count: 10 }], ['acc', { last: NaN, last_step: 9, min: 0, max: 0.9, mean: 0.5, count: 10 }]])],
  ]);
  it('minimises losses and maximises the rest by default; NaN never wins', () => {
    expect(defaultGoal('val_loss')).toBe('min');
    expect(defaultGoal('val_acc')).toBe('max');
    expect(compareMetric('loss', ['a', 'b', 'c'], stats, undefined)).toMatchObject({ goal: 'min', best_run_id: 'b', best_value: 0.3, runs: { c: null } });
    expect(compareMetric('acc', ['a', 'b'], stats, undefined)).toMatchObject({ goal: 'max', best_run_id: 'a', best_value: 0.7 });
  });
  it('follows an explicit goal', () => {
    expect(compareMetric('loss', ['a', 'b'], stats, 'max')).toMatchObject({ goal: 'max', best_run_id: 'a' });
  });
});

describe('read-your-writes', () => {
  it('needs next_offset above every written offset', () => {
    expect(covers(new Map([[0, 6n], [1, 3n]]), { 0: '5', 1: '2' })).toBe(true);
    expect(covers(new Map([[0, 5n], [1, 3n]]), { 0: '5', 1: '2' })).toBe(false);
    expect(covers(new Map([[0, 6n]]), { 0: '5', 1: '2' })).toBe(false);
  });
  it('waits until every store covers the token, then gives up at the bound', async () => {
    let t = 0;
    let next = 0n;
    const opts = { timeoutMs: 100, pollMs: 10, now: () => t, sleep: async (ms: number) => void (t += ms) };
    const moving = async () => new Map([[0, (next += 1n)]]);
    expect(await waitForPositions([moving], { topic: 'x', positions: { 0: '3' } }, opts)).toBe(true);
    t = 0;
    const failing = async (): Promise<Map<number, bigint>> => {
      throw new Error('no table');
    };
    expect(await waitForPositions([failing], { topic: 'x', positions: { 0: '3' } }, opts)).toBe(false);
    expect(t).toBe(100);
  });
});

describe('coalesced checkpoint reads', () => {
  it('share the read in flight, then read again', async () => {
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const source = coalesced(async () => {
      reads++;
      await gate;
      return new Map([[0, BigInt(reads)]]);
    });
    const both = Promise.all([source('t'), source('t')]);
    release();
    const [a, b] = await both;
    expect(a).toBe(b);
    expect(reads).toBe(1);
    await source('t');
    expect(reads).toBe(2);
  });
});

describe('errors', () => {
  it('maps codes to statuses in one place and keeps search error details', () => {
    expect(new QueryError('RUN_NOT_FOUND', 'x').status).toBe(404);
    const search = new SearchError('FILTER_INVALID', 'bad', 7, 'a value');
    const e = toQueryError(search);
    expect([e.code, e.status, e.details]).toEqual(['FILTER_INVALID', 400, { position: 7, expected: 'a value' }]);
    expect(toQueryError(new Error('boom')).code).toBe('INTERNAL');
  });

  it('answers a body the parser refused (unsupported encoding, too large) as 400 naming it, not 500', () => {
    const refused = Object.assign(new Error('unsupported content encoding "bogus"'), { type: 'encoding.unsupported', status: 415 });
    const e = toQueryError(refused);
    expect([e.code, e.status, e.details]).toEqual(['BAD_REQUEST', 400, { field: 'body' }]);
    expect(e.message).toContain('encoding.unsupported');
    expect(toQueryError(Object.assign(new Error('x'), { type: 'weird', status: 500 })).code).toBe('INTERNAL');
  });
});
