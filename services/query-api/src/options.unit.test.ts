import { compileQueryApiOptions, QUERY_API_DEFAULTS } from './options';

describe('compileQueryApiOptions', () => {
  const raw = { pgUrl: 'postgres://x', clickhouseUrl: 'http://ch:8123/db', eventsTopic: 't', readYourWritesWaitMs: 100 };

  it('applies the defaults once and freezes the result', () => {
    const o = compileQueryApiOptions(raw);
    expect(Object.isFrozen(o) && Object.isFrozen(o.readModel) && Object.isFrozen(o.streams)).toBe(true);
    expect([o.port, o.host, o.auth, o.jsonBodyLimit]).toEqual([0, '127.0.0.1', { mode: 'off' }, QUERY_API_DEFAULTS.jsonBodyLimit]);
    expect(o.readModel).toEqual({ pgUrl: 'postgres://x', clickhouseUrl: 'http://ch:8123/db' });
  });

  it('passes what the caller gave to the read model and the streams', () => {
    const o = compileQueryApiOptions({ ...raw, pgSchema: 's1', pgPoolSize: 3, clickhouseDatabase: 'd1', port: 8081, streams: { maxStreams: 2 } });
    expect(o.readModel).toEqual({ pgUrl: 'postgres://x', pgSchema: 's1', pgPoolSize: 3, clickhouseUrl: 'http://ch:8123/db', clickhouseDatabase: 'd1' });
    expect([o.port, o.streams]).toEqual([8081, { maxStreams: 2 }]);
  });
});
