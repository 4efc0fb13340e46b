import { chooseStackSource, endpointsFromEnv, parseEnvLines } from './endpoints';
import { uniqueName } from './names';
import { withDatabase, withSearchPath } from './resources';

const ALL = {
  TRACKSTREAM_KAFKA_BROKERS: 'h:1,h:2',
  TRACKSTREAM_PG_URL: 'postgres://u:p@h:5/db',
  TRACKSTREAM_CLICKHOUSE_URL: 'http://h:8123/trackstream',
};

describe('chooseStackSource', () => {
  it('given all three endpoints, then the caller’s servers are used even when Docker answers', () => {
    expect(chooseStackSource(ALL, true)).toBe('env');
  });
  it('given none, then Docker is preferred when it answers, else the local stack', () => {
    expect(chooseStackSource({}, true)).toBe('testcontainers');
    expect(chooseStackSource({}, false)).toBe('local');
  });
  it('given only some endpoints, then the error names the missing ones', () => {
    expect(() => chooseStackSource({ TRACKSTREAM_PG_URL: 'x' }, false)).toThrow(/TRACKSTREAM_KAFKA_BROKERS, TRACKSTREAM_CLICKHOUSE_URL not/);
  });
});

describe('endpoints', () => {
  it('parses brokers as a list', () => {
    expect(endpointsFromEnv(ALL).kafkaBrokers).toEqual(['h:1', 'h:2']);
  });
  it('parses stack.sh env output', () => {
    expect(parseEnvLines('A_B=1\n\nC=x=y\nnot a var\n')).toEqual({ A_B: '1', C: 'x=y' });
  });
  it('puts the schema into the pg URL and the database into the ClickHouse URL', () => {
    expect(new URL(withSearchPath(ALL.TRACKSTREAM_PG_URL, 's1')).searchParams.get('options')).toBe('-c search_path=s1');
    expect(withDatabase(ALL.TRACKSTREAM_CLICKHOUSE_URL, 'd1')).toBe('http://h:8123/d1');
  });
});

describe('uniqueName', () => {
  it('is distinct per call and safe as a topic, schema and database name', () => {
    const a = uniqueName('My-Test.x');
    expect(a).toMatch(/^my_test_x_[a-z0-9]+_[0-9a-f]{8}$/);
    expect(uniqueName('t')).not.toBe(uniqueName('t'));
  });
});
