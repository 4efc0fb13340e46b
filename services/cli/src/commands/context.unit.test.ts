import { loadConfig } from './context';

describe('CLI configuration (loadConfig)', () => {
  it('takes the ClickHouse database from the URL path by the adapter rule, default trackstream', () => {
    expect(loadConfig({ TRACKSTREAM_CLICKHOUSE_URL: 'http://ch:8123/replay_a' }).chDatabase).toBe('replay_a');
    expect(loadConfig({ TRACKSTREAM_CLICKHOUSE_URL: 'http://ch:8123/' }).chDatabase).toBe('trackstream');
  });

  it('shares the schema variables and their rules with the services', () => {
    const cfg = loadConfig({});
    expect([cfg.pgSchema, cfg.authSchema, cfg.topic]).toEqual(['public', 'trackstream_auth', 'trackstream.events.v1']);
    expect(() => loadConfig({ TRACKSTREAM_PG_SCHEMA: '1bad' })).toThrow(/TRACKSTREAM_PG_SCHEMA.*must be a Postgres schema name/s);
    expect(() => loadConfig({ TRACKSTREAM_EVENTS_TOPIC: 'a b' })).toThrow(/TRACKSTREAM_EVENTS_TOPIC.*must be a Kafka topic name/s);
    expect(Object.isFrozen(cfg)).toBe(true);
  });
});
