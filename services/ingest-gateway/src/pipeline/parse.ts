import { parseEventBatchText, type TrackstreamEvent } from '@trackstream/events';
import { GatewayError, validationFailed } from '../errors';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Step parse: the request body's bytes → validated events, through the one parse path (`parseEventBatchText` from
 * @trackstream/events: JSON, conflicting duplicate keys, the event schemas, the batch limits). Its failure kinds
 * become the gateway's codes: MALFORMED_JSON (not UTF-8, empty, not JSON), TOO_MANY_EVENTS, VALIDATION_FAILED.
 */
export function parseBatch(raw: unknown): TrackstreamEvent[] {
  const result = parseEventBatchText(decodeBody(raw));
  if (result.ok) return result.events;
  const failure = result.failure ?? { kind: 'invalid' as const };
  switch (failure.kind) {
    case 'not_json':
      throw new GatewayError('MALFORMED_JSON', result.problems[0]?.message ?? 'the body is not valid JSON');
    case 'too_many_events':
      throw new GatewayError('TOO_MANY_EVENTS', `a batch holds at most ${failure.limit} events (got ${failure.count}); split it`, {
        details: { limit: failure.limit, count: failure.count, problems: result.problems },
      });
    case 'invalid':
      throw validationFailed(result.problems);
  }
}

/** The body as text; bytes that are not UTF-8 are refused rather than silently replaced with U+FFFD. */
export function decodeBody(raw: unknown): string {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return '';
  try {
    return UTF8.decode(raw);
  } catch {
    throw new GatewayError('MALFORMED_JSON', 'request body is not valid UTF-8 (JSON must be sent as UTF-8)');
  }
}
