import { z } from 'zod';
import { ConfigError, commonEnv, envVar, parseEnv, port } from './index';

describe('parseEnv', () => {
  it('given defaults and no variables, when parsed, then the defaults are typed values', () => {
    const cfg = parseEnv({ ...commonEnv, port: envVar('TRACKSTREAM_GATEWAY_PORT', port, '8080') }, {});
    expect(cfg.port).toBe(8080);
    expect(cfg.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(cfg.logLevel).toBe('info');
  });

  it('given bad values, when parsed, then one error names every bad variable', () => {
    let caught: unknown;
    try {
      parseEnv(commonEnv, { TRACKSTREAM_KAFKA_BROKERS: 'nohost', TRACKSTREAM_PG_URL: 'mysql://x', TRACKSTREAM_LOG_LEVEL: 'loud' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const err = caught as ConfigError;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.problems.map((p) => p.variable).sort()).toEqual(['TRACKSTREAM_KAFKA_BROKERS', 'TRACKSTREAM_LOG_LEVEL', 'TRACKSTREAM_PG_URL']);
    expect(err.message).toContain('TRACKSTREAM_PG_URL');
  });

  it('given a port out of range, when parsed, then it is rejected', () => {
    expect(() => parseEnv({ p: envVar('P', port) }, { P: '70000' })).toThrow(/P: must be a port number/);
  });

  it('given a required variable without default, when missing, then it is reported as not set', () => {
    expect(() => parseEnv({ s: envVar('S', z.string()) }, {})).toThrow(/S: is required but not set/);
  });
});
