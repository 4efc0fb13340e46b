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
