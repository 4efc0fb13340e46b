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
