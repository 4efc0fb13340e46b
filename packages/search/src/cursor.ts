import { createHash } from 'node:crypto';
import { SearchError } from './errors';

/** What a page token carries: the last row's sort key values (as Postgres text, null = missing) and its run_id. */
export interface Cursor {
  keys: (string | null)[];
  runId: string;
}

interface TokenBody {
  v: 1;
  h: string;
  k: (string | null)[];
  r: string;
}

/** Identifies the query a token belongs to, so a token replayed with another filter or order is refused. */
export function queryHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

export function encodePageToken(hash: string, cursor: Cursor): string {
  const body: TokenBody = { v: 1, h: hash, k: cursor.keys, r: cursor.runId };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function invalid(why: string): SearchError {
  return new SearchError('PAGE_TOKEN_INVALID', `page_token: ${why}`, undefined, 'a next_page_token returned by the same search');
}

export type KeyType = 'float8' | 'int8' | 'text';

const FLOAT_TEXT = /^(?:NaN|-?Infinity|-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?)$/;
const INT_TEXT = /^-?[0-9]{1,19}$/;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** Postgres rejects float8 text that overflows or underflows to zero; JS parses the same text to ±Infinity / 0. */
function float8InRange(k: string): boolean {
  if (k === 'NaN' || k === 'Infinity' || k === '-Infinity') return true;
  const n = Number(k);
  if (!Number.isFinite(n)) return false;
  return n !== 0 || !/[1-9]/.test(k.split(/[eE]/)[0]!);
}

/**
 * Decodes and checks a token against the query it is used with. Each key is checked against its SQL type here,
 * because the hash is not a secret: a forged token must fail as PAGE_TOKEN_INVALID, never as a SQL cast error.
 */
export function decodePageToken(token: string, hash: string, types: KeyType[]): Cursor {
  if (typeof token !== 'string' || token.length > 64_000 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid('not a page token');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a page token');
  }
  const b = body as Partial<TokenBody> | null;
  if (!b || typeof b !== 'object' || b.v !== 1 || typeof b.h !== 'string' || typeof b.r !== 'string' || !Array.isArray(b.k)) {
    throw invalid('not a page token');
  }
  if (b.h !== hash) throw invalid('issued for a different filter, order_by or experiment list');
  if (b.k.length !== types.length) throw invalid('does not match order_by');
  b.k.forEach((k, i) => {
    if (k === null) return;
    if (typeof k !== 'string' || k.includes('\u0000')) throw invalid('malformed sort key');
    const t = types[i]!;
    if (t === 'float8' && (!FLOAT_TEXT.test(k) || !float8InRange(k))) throw invalid('malformed sort key');
    if (t === 'int8' && (!INT_TEXT.test(k) || BigInt(k) < INT8_MIN || BigInt(k) > INT8_MAX)) throw invalid('malformed sort key');
  });
  if (b.r.includes('\u0000')) throw invalid('malformed run id');
  return { keys: b.k, runId: b.r };
}
