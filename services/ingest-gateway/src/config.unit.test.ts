import { ConfigError } from '@trackstream/config';
import { EVENTS_TOPIC } from '@trackstream/events';
import { loadGatewayConfig } from './config';

describe('gateway config', () => {
  it('given no variables, when loaded, then the design defaults apply', () => {
    const c = loadGatewayConfig({});
    expect(c).toMatchObject({ port: 8080, topic: EVENTS_TOPIC, topicPartitions: 12, kafkaBrokers: ['127.0.0.1:9092'], deadlineMs: 5000 });
    expect(c.maxInFlightBytes).toBeGreaterThanOrEqual(4 * 1024 * 1024);
  });

  it('given bad values, when loaded, then one error names each bad variable', () => {
    let caught: unknown;
    try {
      loadGatewayConfig({ TRACKSTREAM_GATEWAY_PORT: 'eighty', TRACKSTREAM_GATEWAY_DEADLINE_MS: '0', TRACKSTREAM_EVENTS_TOPIC: 'bad topic!' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'TRACKSTREAM_EVENTS_TOPIC',
      'TRACKSTREAM_GATEWAY_DEADLINE_MS',
      'TRACKSTREAM_GATEWAY_PORT',
    ]);
  });
});

describe('gateway admission config (issue 8)', () => {
  it('given nothing, then adaptive admission is on; given off, it is off', () => {
    expect(loadGatewayConfig({}).adaptiveAdmission).toBe('on');
    expect(loadGatewayConfig({ TRACKSTREAM_GATEWAY_ADAPTIVE_ADMISSION: 'off' }).adaptiveAdmission).toBe('off');
    expect(loadGatewayConfig({ TRACKSTREAM_GATEWAY_ADAPTIVE_ADMISSION: 'on' }).adaptiveAdmission).toBe('on');
  });

  it('given a value other than on or off, then the error names the variable', () => {
    let caught: unknown;
    try {
      loadGatewayConfig({ TRACKSTREAM_GATEWAY_ADAPTIVE_ADMISSION: 'maybe' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems.map((p) => p.variable)).toEqual(['TRACKSTREAM_GATEWAY_ADAPTIVE_ADMISSION']);
  });
});

describe('gateway auth config (issue 9)', () => {
  it('given nothing, then auth is on with the default schema, refresh and rate limits', () => {
    expect(loadGatewayConfig({})).toMatchObject({
      authMode: 'on',
      authPgSchema: 'trackstream_auth',
      authRefreshMs: 2000,
      rateLimitPerSec: 20000,
      rateBurst: null,
    });
  });

  it('given explicit values, then they are typed; bad ones are named, never echoing a URL password', () => {
    expect(
      loadGatewayConfig({ TRACKSTREAM_AUTH: 'off', TRACKSTREAM_GATEWAY_RATE_LIMIT: '50', TRACKSTREAM_GATEWAY_RATE_BURST: '75', TRACKSTREAM_AUTH_REFRESH_MS: '500' }),
    ).toMatchObject({ authMode: 'off', rateLimitPerSec: 50, rateBurst: 75, authRefreshMs: 500 });
    let caught: unknown;
    try {
      loadGatewayConfig({ TRACKSTREAM_AUTH: 'maybe', TRACKSTREAM_GATEWAY_RATE_BURST: '-1', TRACKSTREAM_PG_URL: 'mysql://ts:hunter2@db/x' });
    } catch (e) {
      caught = e;
    }
    expect((caught as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['TRACKSTREAM_AUTH', 'TRACKSTREAM_GATEWAY_RATE_BURST', 'TRACKSTREAM_PG_URL']);
    expect((caught as Error).message).not.toContain('hunter2');
  });
});
