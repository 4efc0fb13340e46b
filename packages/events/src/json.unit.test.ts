import { decodeEvent, encodeEvent, eventToJson, exampleEvents, parseEvent, type StoredEvent } from './index';

describe('eventToJson', () => {
  test('given non-finite metric values, when converted, then they become the strings of the JSON form', () => {
    const metrics = exampleEvents().find((e) => e.type === 'metrics_logged')!;
    const json = eventToJson(metrics) as { payload: { points: { value: unknown }[] } };
    expect(json.payload.points.map((p) => p.value)).toEqual([0.42, 'NaN', 'Infinity', '-Infinity', 5e-324, 1.7976931348623157e308]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  test('given the input, when converted, then the input is not modified', () => {
    const metrics = exampleEvents().find((e) => e.type === 'metrics_logged')!;
    const before = structuredClone(metrics);
    eventToJson(metrics);
    expect(metrics).toEqual(before);
  });

  test.each(exampleEvents().map((e) => [e.type, e] as const))('given a %s event, when converted to JSON text and parsed back, then it is the same event', (_t, event) => {
    expect(parseEvent(JSON.parse(JSON.stringify(eventToJson(event))))).toEqual({ ok: true, event });
  });

  test('given a stored event, when converted, then the gateway fields are kept', () => {
    const stored = { ...exampleEvents()[0]!, received_at: 5, principal: 'p' } as StoredEvent;
    expect(eventToJson(decodeEvent(encodeEvent(stored)))).toMatchObject({ received_at: 5, principal: 'p', type: 'experiment_created' });
  });
});
