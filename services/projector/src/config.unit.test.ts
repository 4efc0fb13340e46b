import { loadProjectorConfig } from './config';

describe('loadProjectorConfig', () => {
  it('given --projection postgres and no variables, when loaded, then defaults follow the design', () => {
    const cfg = loadProjectorConfig(['--projection', 'postgres'], {});
    expect(cfg).toMatchObject({
      projection: 'postgres',
      port: 8082,
      topic: 'trackstream.events.v1',
      dlqTopic: 'trackstream.events.dlq.v1',
      groupId: 'trackstream-projector-postgres',
      pgSchema: 'public',
    });
  });

  it('given clickhouse, when loaded, then its own port and group are the defaults', () => {
    expect(loadProjectorConfig(['--projection=clickhouse'], {})).toMatchObject({ port: 8083, groupId: 'trackstream-projector-clickhouse' });
  });

  it('given each projection, when loaded, then ClickHouse batches its fetches and Postgres answers at once', () => {
    expect(loadProjectorConfig(['--projection', 'clickhouse'], {})).toMatchObject({ fetchMinBytes: 4 * 1024 * 1024, fetchMaxWaitMs: 1000 });
    expect(loadProjectorConfig(['--projection', 'postgres'], {})).toMatchObject({ fetchMinBytes: 1, fetchMaxWaitMs: 5000 });
    const env = { TRACKSTREAM_PROJECTOR_FETCH_MIN_BYTES: '65536', TRACKSTREAM_PROJECTOR_FETCH_MAX_WAIT_MS: '250' };
    expect(loadProjectorConfig(['--projection', 'clickhouse'], env)).toMatchObject({ fetchMinBytes: 65536, fetchMaxWaitMs: 250 });
    expect(() => loadProjectorConfig(['--projection', 'clickhouse'], { TRACKSTREAM_PROJECTOR_FETCH_MAX_WAIT_MS: '0' })).toThrow(/TRACKSTREAM_PROJECTOR_FETCH_MAX_WAIT_MS/);
  });

  it('given the generic and the specific port variables, when loaded, then the specific one wins', () => {
    expect(loadProjectorConfig(['--projection', 'postgres'], { TRACKSTREAM_PROJECTOR_PORT: '9000' }).port).toBe(9000);
    const both = { TRACKSTREAM_PROJECTOR_PORT: '9000', TRACKSTREAM_PROJECTOR_POSTGRES_PORT: '9100' };
    expect(loadProjectorConfig(['--projection', 'postgres'], both).port).toBe(9100);
  });

  it('given no or an unknown projection, when loaded, then the error names the flag', () => {
    expect(() => loadProjectorConfig([], {})).toThrow(/--projection: must be one of postgres, clickhouse/);
    expect(() => loadProjectorConfig(['--projection', 'mysql'], {})).toThrow(/--projection/);
  });

  it('given a bad schema name, when loaded, then the variable is named', () => {
    expect(() => loadProjectorConfig(['--projection', 'postgres'], { TRACKSTREAM_PG_SCHEMA: 'x; drop' })).toThrow(/TRACKSTREAM_PG_SCHEMA/);
  });
});
