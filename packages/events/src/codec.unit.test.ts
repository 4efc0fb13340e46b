import { decodeEvent, encodeEvent, EventDecodeError, EventEncodeError, eventCatalogue, exampleEvents, type StoredEvent } from './index';

const stored = (): StoredEvent[] =>
  exampleEvents().map((e) => ({ ...e, received_at: 1763900000500, principal: 'svc:trainer' }) as StoredEvent);

describe('Avro codec', () => {
  test.each(stored().map((e) => [e.type, e] as const))('given a %s event, when encoded then decoded, then it is equal', (_type, event) => {
    const decoded = decodeEvent(encodeEvent(event));
    expect(decoded).toEqual(event);
    expect(Object.getPrototypeOf(decoded.payload)).toBe(Object.prototype);
  });

  test('given NaN, ±Infinity and -0 metric values, when round-tripped, then each is preserved exactly', () => {
    const event = stored().find((e) => e.type === 'metrics_logged')!;
    if (event.type !== 'metrics_logged') throw new Error('wrong type');
    event.payload.points[4]!.value = -0;
    const decoded = decodeEvent(encodeEvent(event));
    if (decoded.type !== 'metrics_logged') throw new Error('wrong type');
    const values = decoded.payload.points.map((p) => p.value);
    expect(Number.isNaN(values[1])).toBe(true);
    expect(values[2]).toBe(Infinity);
    expect(values[3]).toBe(-Infinity);
    expect(Object.is(values[4], -0)).toBe(true);
  });

  test('given any event, when encoded, then it starts with C3 01 and the writer schema fingerprint', () => {
    const record = encodeEvent(stored()[0]!);
    expect(record.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(record.toString('hex', 2, 10)).toBe(eventCatalogue().latest.fingerprint);
  });

  test('given an event that does not fit the schema, when encoded, then EventEncodeError names the bad fields', () => {
    const event = { ...stored()[1]!, received_at: undefined } as unknown as StoredEvent;
    expect(() => encodeEvent(event)).toThrow(EventEncodeError);
    expect(() => encodeEvent(event)).toThrow(/received_at/);
    expect(() => encodeEvent({ ...stored()[1]!, type: 'nope' } as unknown as StoredEvent)).toThrow(new RegExp(`event type "nope" is not in schema version ${eventCatalogue().latest.version}`));
    expect(() => encodeEvent(event)).toThrow(expect.objectContaining({ code: 'EVENT_UNENCODABLE', retriable: false }));
  });

  test('given garbage, an unknown fingerprint or a truncated body, when decoded, then EventDecodeError is thrown', () => {
    const good = encodeEvent(stored()[3]!);
    const unknownFp = Buffer.from(good);
    unknownFp[2] = unknownFp[2]! ^ 0xff;
    for (const bad of [Buffer.alloc(0), Buffer.from('{"event_id":1}'), unknownFp, good.subarray(0, good.length - 3), Buffer.concat([good, Buffer.from([1])])]) {
      expect(() => decodeEvent(bad)).toThrow(EventDecodeError);
    }
    try {
      decodeEvent(unknownFp);
    } catch (err) {
      expect(err).toMatchObject({ code: 'EVENT_UNDECODABLE', retriable: false });
      expect((err as Error).message).toMatch(/unknown writer schema fingerprint/);
    }
  });
});
