import { metricValueJson, serializeEvent, serializeMetrics } from './serialize';
import { eventToJson, parseEvent, type TrackstreamEvent } from './wire';

describe('serialization', () => {
  it('the direct metrics path produces exactly the contract JSON form', () => {
    const points = [
      { key: 'loss', value: 0.1 + 0.2, step: 0, timestamp: 1_763_900_000_000 },
      { key: 'ünï "quoted" \\ key', value: NaN, step: 1, timestamp: 1_763_900_000_001 },
      { key: 'inf', value: Infinity, step: -5, timestamp: 1 },
      { key: 'ninf', value: -Infinity, step: Number.MAX_SAFE_INTEGER - 1, timestamp: 2 },
      { key: 'tiny', value: 5e-324, step: 3, timestamp: 3 },
      { key: 'huge', value: -1.7976931348623157e308, step: 4, timestamp: 4 },
      { key: 'negzero', value: -0, step: 5, timestamp: 5 },
    ];
    const env = { event_id: '0b6f7c2e-1111-4222-8333-444455556666', project: 'p', experiment_id: 'exp-1', run_id: 'run-1', occurred_at: 7 };
    const event: TrackstreamEvent = { ...env, type: 'metrics_logged', payload: { points } };
    const text = serializeMetrics(env, { key: (i) => points[i]!.key, value: (i) => points[i]!.value, step: (i) => points[i]!.step, timestamp: (i) => points[i]!.timestamp }, 0, points.length);
    expect(JSON.parse(text)).toEqual(JSON.parse(serializeEvent(event)));
    // Through JSON (which has no -0, whichever way it is written), the same as the shared package's JSON form.
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(eventToJson(event))));
    const back = parseEvent(JSON.parse(text));
    expect(back.ok ? [] : back.problems).toEqual([]);
  });

  it('writes non-finite values as the contract strings', () => {
    expect([NaN, Infinity, -Infinity, 1.5].map(metricValueJson)).toEqual(['"NaN"', '"Infinity"', '"-Infinity"', '1.5']);
  });
});
