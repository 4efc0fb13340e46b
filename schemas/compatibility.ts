// The catalogue's compatibility check: every schema version must read what every other version wrote, in both
// directions (an old projector reading a new producer's records, and a new projector replaying old records).
import { createEventCodec, EventDecodeError, type Catalogue, type StoredEvent } from '@trackstream/events';

export interface CompatibilityFailure {
  writer: number;
  reader: number;
  type: string;
  reason: string;
}

/**
 * Writes each sample with every version that knows its type and reads it back with every version. A record must
 * decode to at least what was written (a reader may add defaulted fields and drops fields it does not know); the
 * only allowed refusal is a record whose event type the reader does not know, refused alone with EventDecodeError.
 */
export function checkCatalogue(catalogue: Catalogue, samples: readonly StoredEvent[]): CompatibilityFailure[] {
  const failures: CompatibilityFailure[] = [];
  for (const w of catalogue.versions) {
    const writerTypes = new Set(w.parts.payloads.map((p) => p.type));
    for (const r of catalogue.versions) {
      const codec = createEventCodec(catalogue, { writerVersion: w.version, readerVersion: r.version });
      const readerTypes = new Set(r.parts.payloads.map((p) => p.type));
      for (const sample of samples) {
        if (!writerTypes.has(sample.type)) continue;
        const fail = (reason: string) => failures.push({ writer: w.version, reader: r.version, type: sample.type, reason });
        let record: Buffer;
        try {
          record = codec.encode(sample);
        } catch (err) {
          fail(`cannot encode: ${(err as Error).message}`);
          continue;
        }
        try {
          const decoded = codec.decode(record);
          if (!readerTypes.has(sample.type)) fail('a record of a type the reader does not know was not refused');
          else if (!contains(decoded, restrictTo(sample, decoded))) fail(`decoded ${JSON.stringify(decoded)}`);
        } catch (err) {
          if (!(err instanceof EventDecodeError)) fail(`threw ${String(err)}`);
          else if (readerTypes.has(sample.type)) fail(err.message);
        }
      }
    }
  }
  return failures;
}

/** The sample without the fields the reader's schema does not have (an old reader legitimately drops them). */
function restrictTo(sample: unknown, decoded: unknown): unknown {
  if (Array.isArray(sample) && Array.isArray(decoded)) return sample.map((s, i) => restrictTo(s, decoded[i]));
  if (isObject(sample) && isObject(decoded)) {
    return Object.fromEntries(Object.keys(sample).filter((k) => k in decoded).map((k) => [k, restrictTo(sample[k], decoded[k])]));
  }
  return sample;
}

/** Every field of `expected` is in `actual` with an equal value (NaN equals NaN); `actual` may have more fields. */
function contains(actual: unknown, expected: unknown): boolean {
  if (Object.is(actual, expected)) return true;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => contains(actual[i], e));
  }
  if (isObject(expected)) return isObject(actual) && Object.keys(expected).every((k) => contains(actual[k], expected[k]));
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
