import { ConfigError } from '@trackstream/config';
import { loadQueryConfig } from './config';

test('defaults follow the design: port 8081, schema public, the events topic, a 5 s read-your-writes bound', () => {
  expect(loadQueryConfig({})).toMatchObject({ port: 8081, pgSchema: 'public', eventsTopic: 'trackstream.events.v1', readYourWritesWaitMs: 5000 });
  expect(loadQueryConfig({ TRACKSTREAM_QUERY_PORT: '0', TRACKSTREAM_PG_SCHEMA: 'qa_1', TRACKSTREAM_QUERY_RYW_WAIT_MS: '250' })).toMatchObject({
    port: 0,
    pgSchema: 'qa_1',
    readYourWritesWaitMs: 250,
  });
});

test('a bad value names its variable', () => {
  expect(() => loadQueryConfig({ TRACKSTREAM_QUERY_PORT: 'abc', TRACKSTREAM_PG_SCHEMA: 'x"; DROP' })).toThrow(ConfigError);
  expect(() => loadQueryConfig({ TRACKSTREAM_PG_SCHEMA: 'x"; DROP' })).toThrow(/TRACKSTREAM_PG_SCHEMA/);
  expect(() => loadQueryConfig({ TRACKSTREAM_QUERY_RYW_WAIT_MS: '0' })).toThrow(/TRACKSTREAM_QUERY_RYW_WAIT_MS/);
});

test('access control (issue 9): on by default with its own schema; off and bad values named', () => {
  expect(loadQueryConfig({})).toMatchObject({ authMode: 'on', authPgSchema: 'trackstream_auth', authRefreshMs: 2000 });
  expect(loadQueryConfig({ TRACKSTREAM_AUTH: 'off', TRACKSTREAM_AUTH_PG_SCHEMA: 'auth_x', TRACKSTREAM_AUTH_REFRESH_MS: '500' })).toMatchObject({
    authMode: 'off',
    authPgSchema: 'auth_x',
    authRefreshMs: 500,
  });
  let caught: unknown;
  try {
    loadQueryConfig({ TRACKSTREAM_AUTH: 'yes', TRACKSTREAM_AUTH_PG_SCHEMA: 'bad schema', TRACKSTREAM_PG_URL: 'http://u:hunter2@db/x' });
  } catch (e) {
    caught = e;
  }
  expect((caught as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['TRACKSTREAM_AUTH', 'TRACKSTREAM_AUTH_PG_SCHEMA', 'TRACKSTREAM_PG_URL']);
  expect((caught as Error).message).not.toContain('hunter2');
});
