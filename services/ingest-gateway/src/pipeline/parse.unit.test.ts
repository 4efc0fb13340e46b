import { exampleEvents, eventToJson, LIMITS } from '@trackstream/events';
import { GatewayError } from '../errors';
import { decodeBody, parseBatch } from './parse';

const batchText = () => JSON.stringify({ events: exampleEvents().map(eventToJson) });
const refusal = (raw: unknown): GatewayError => {
  try {
    parseBatch(raw);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('step parse: body bytes → events through parseEventBatchText', () => {
  it('given a valid batch, when parsed, then every event comes back', () => {
    expect(parseBatch(Buffer.from(batchText()))).toHaveLength(exampleEvents().length);
  });

  it.each([
    ['no body', undefined, /empty/],
    ['an empty body', Buffer.alloc(0), /empty/],
    ['only whitespace', Buffer.from('  \n'), /empty/],
    ['broken JSON', Buffer.from('{"events": ['), /not valid JSON/],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not valid UTF-8/],
  ])('given %s, when parsed, then MALFORMED_JSON says so', (_name, raw, message) => {
    const err = refusal(raw);
    expect([err.code, err.status]).toEqual(['MALFORMED_JSON', 400]);
    expect(err.message).toMatch(message);
  });

  it('given more events than a batch holds, then TOO_MANY_EVENTS with the count and the limit', () => {
    const one = eventToJson(exampleEvents()[0]!);
    const err = refusal(Buffer.from(JSON.stringify({ events: Array.from({ length: LIMITS.eventsPerBatch + 1 }, () => one) })));
    expect(err.code).toBe('TOO_MANY_EVENTS');
    expect(err.message).toMatch(/at most 1000 events \(got 1001\)/);
    expect(err.extra.details).toMatchObject({ limit: 1000, count: 1001, problems: [{ index: null, path: 'events' }] });
  });

  it('given a bad event and a conflicting duplicate key, then VALIDATION_FAILED lists both by path', () => {
    const raw = batchText().replace('"event_id":', '"event_id":"x","event_id":');
    const err = refusal(Buffer.from(raw));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect((err.extra.details as { problems: { path: string }[] }).problems.map((p) => p.path)).toContain('events[0].event_id');
  });

  it('decodeBody: a UTF-8 body with a BOM-less multi-byte character decodes as text', () => {
    expect(decodeBody(Buffer.from('{"é":1}'))).toBe('{"é":1}');
  });
});
