import { LIMITS } from '@trackstream/events';
import { QueryError } from './errors';

/** Request-shape checks shared by the routes; each failure is a 400 naming the field. */

export function intParam(raw: unknown, name: string, dflt: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return dflt;
  const s = typeof raw === 'number' ? String(raw) : raw;
  if (typeof s !== 'string' || !/^\d{1,9}$/.test(s)) throw new QueryError('BAD_REQUEST', `${name} must be a whole number from ${min} to ${max}`, { field: name });
  const n = Number(s);
  if (n < min || n > max) throw new QueryError('BAD_REQUEST', `${name} must be a whole number from ${min} to ${max}`, { field: name });
  return n;
}

/** An optional step bound (a whole number, negative allowed, within the exactly representable range). */
export function stepParam(raw: unknown, name: string): bigint | null {
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string' || !/^-?\d{1,16}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new QueryError('BAD_REQUEST', `${name} must be a whole number of steps (at most 2^53 - 1 either side of 0)`, { field: name });
  }
  return BigInt(raw);
}

export function optionalString(raw: unknown, name: string): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string') throw new QueryError('BAD_REQUEST', `${name} must be a string`, { field: name });
  return raw;
}

export function stringArray(raw: unknown, name: string, opts: { min: number; max: number }): string[] {
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 250)) {
    throw new QueryError('BAD_REQUEST', `${name} must be an array of non-empty strings`, { field: name });
  }
  if (raw.length < opts.min || raw.length > opts.max) {
    throw new QueryError('BAD_REQUEST', `${name} must hold from ${opts.min} to ${opts.max} entries (got ${raw.length})`, { field: name });
  }
  return raw as string[];
}

/** stringArray whose entries a store can hold: a NUL byte or a lone surrogate is a 400 naming the field, before any SQL. */
export function storableStringArray(raw: unknown, name: string, opts: { min: number; max: number }): string[] {
  const out = stringArray(raw, name, opts);
  if (!out.every((x) => isStorableText(x))) throw new QueryError('BAD_REQUEST', `${name} must not hold NUL bytes or lone surrogates`, { field: name });
  return out;
}

export function bodyObject(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new QueryError('BAD_REQUEST', 'the request body must be a JSON object');
  return raw as Record<string, unknown>;
}

/** Opaque keyset cursor for the experiments list: the last id of the page, base64url-wrapped. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ a: lastId }), 'utf8').toString('base64url');
}

export function decodeCursor(token: string): string {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error();
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown };
    if (typeof v.a !== 'string') throw new Error();
    return v.a;
  } catch {
    throw new QueryError('PAGE_TOKEN_INVALID', 'page_token is not a token this API issued', { field: 'page_token' });
  }
}

/** The id grammar of the contract (project, experiment_id, run_id). An id outside it cannot exist in a store. */
export const ID_PATTERN: RegExp = LIMITS.idPattern;

export function isId(raw: string): boolean {
  return ID_PATTERN.test(raw);
}

// A NUL byte or a lone UTF-16 surrogate cannot be stored (Postgres refuses NUL in text, UTF-8 has no lone surrogate).
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when a text value can be a key or a name in a store (no NUL, no lone surrogate, bounded length). */
export function isStorableText(raw: string, maxLength = 250): boolean {
  return raw.length <= maxLength && !UNSTORABLE.test(raw);
}
