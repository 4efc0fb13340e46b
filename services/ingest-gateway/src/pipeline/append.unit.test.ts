import { exampleEvents, type StoredEvent } from '@trackstream/events';
import { createMetricsRegistry } from '@trackstream/telemetry';
import { GatewayError } from '../errors';
import { createGatewayMetrics } from '../metrics';
import { appendBatch, stamp } from './append';

const metrics = () =>
  createGatewayMetrics(createMetricsRegistry('test'), {
    inFlightBytes: () => 0, inFlightRequests: () => 0, inFlightLimitBytes: () => 0, completedBytesPerSecond: () => 0, breakerState: () => 'closed',
  });

describe('step append', () => {
  it('given events, when stamped, then each carries received_at and the principal, the rest unchanged', () => {
    const events = exampleEvents();
    const stored = stamp(events, { principal: 'ada', grant: null }, 42);
    expect(stored).toEqual(events.map((e) => ({ ...e, received_at: 42, principal: 'ada' })));
  });

  it('given the log acknowledges, when appended, then the positions come back and accepted events are counted by type', async () => {
    const m = metrics();
    const seen: (readonly StoredEvent[])[] = [];
    const log = { append: async (events: readonly StoredEvent[]) => (seen.push(events), { topic: 't', positions: { 3: '17' } }) };
    const stored = stamp(exampleEvents(), { principal: 'ada', grant: null }, 1);
    expect(await appendBatch({ log, metrics: m }, stored, 1000, new AbortController().signal)).toEqual({ topic: 't', positions: { 3: '17' } });
    expect(seen).toEqual([stored]);
    const counted = (await m.eventsAccepted.get()).values.reduce((n, v) => n + v.value, 0);
    expect(counted).toBe(stored.length);
  });

  it('given the log fails, when appended, then the error passes through, latency is recorded as error and nothing is counted accepted', async () => {
    const m = metrics();
    const failure = new GatewayError('LOG_UNAVAILABLE', 'down');
    const log = { append: async () => Promise.reject(failure) };
    await expect(appendBatch({ log, metrics: m }, stamp(exampleEvents(), { principal: 'a', grant: null }, 1), 10, new AbortController().signal)).rejects.toBe(failure);
    const latency = (await m.producerLatency.get()).values.find((v) => v.metricName?.endsWith('_count') && v.labels.outcome === 'error');
    expect(latency?.value).toBe(1);
    expect((await m.eventsAccepted.get()).values.reduce((n, v) => n + v.value, 0)).toBe(0);
  });
});
