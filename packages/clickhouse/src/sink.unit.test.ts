import { ClickHouseSink, splitDatabase } from './sink';

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
