import { ClickHouseSink, groupOfRow, splitDatabase } from './sink';

describe('splitDatabase', () => {
  it('takes the database from the URL path and leaves the server URL without it', () => {
    expect(splitDatabase('http://u:p@127.0.0.1:8123/trackstream')).toEqual({ serverUrl: 'http://u:p@127.0.0.1:8123/', database: 'trackstream' });
    expect(splitDatabase('http://127.0.0.1:8123/')).toEqual({ serverUrl: 'http://127.0.0.1:8123/', database: undefined });
    expect(splitDatabase('https://ch.example:8443/analytics/?x=1')).toEqual({ serverUrl: 'https://ch.example:8443/?x=1', database: 'analytics' });
  });
});

describe('ClickHouseSink options', () => {
  it('uses the option, else the URL, else trackstream as database', async () => {
    const sinks = [
      new ClickHouseSink({ url: 'http://127.0.0.1:8123/a', database: 'b' }),
      new ClickHouseSink({ url: 'http://127.0.0.1:8123/a' }),
      new ClickHouseSink({ url: 'http://127.0.0.1:8123' }),
    ];
    expect(sinks.map((s) => s.database)).toEqual(['b', 'a', 'trackstream']);
    await Promise.all(sinks.map((s) => s.close()));
  });

  it('needs a url or a client', () => {
    expect(() => new ClickHouseSink({})).toThrow('url or a client');
  });
});

describe('groupOfRow', () => {
  it("maps an insert's 1-based row to the event whose points it holds", () => {
    const group = (offset: string, n: number) => ({ project: 'p', experiment_id: 'e', run_id: 'r', event_id: offset, offset, points: Array.from({ length: n }, (_, step) => ({ key: 'k', step, timestamp: 0, value: 0 })) });
    const groups = [group('10', 2), group('11', 1), group('12', 3)];
    expect([1, 2, 3, 4, 6, 7].map((row) => groupOfRow(groups, row)?.offset)).toEqual(['10', '10', '11', '12', '12', undefined]);
  });
});
