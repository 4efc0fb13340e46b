import { z } from 'zod';
import { ConfigError, commonEnv, envVar, parseEnv, port, positiveInt, url } from './index';

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

describe('config errors never print secrets (issue 9)', () => {
  it('given a bad URL with a password, when parsed, then the message names the variable without the password', () => {
    const spec = { pg: envVar('TRACKSTREAM_PG_URL', url(['postgres:']), undefined) };
    let message = '';
    try {
      parseEnv(spec, { TRACKSTREAM_PG_URL: 'mysql://admin:hunter2@db:3306/x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('TRACKSTREAM_PG_URL');
    expect(message).toContain('mysql://admin:[redacted]@db:3306/x');
    expect(message).not.toContain('hunter2');
  });

  it('given a bad value of a secret-named variable, when parsed, then the value is not echoed at all', () => {
    const spec = { token: envVar('TRACKSTREAM_TOKEN', positiveInt, undefined) };
    expect(() => parseEnv(spec, { TRACKSTREAM_TOKEN: 'tsk_notanumber' })).toThrow(/TRACKSTREAM_TOKEN: .*a value of 14 characters/);
    expect(() => parseEnv(spec, { TRACKSTREAM_TOKEN: 'tsk_notanumber' })).not.toThrow(/tsk_/);
  });
});
