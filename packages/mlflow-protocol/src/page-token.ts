import { createHash } from 'node:crypto';
import { invalid } from './errors';

/**
 * Offset page tokens for the listings the server pages itself (experiments, metric history, artifacts): the offset
 * and a digest of the query, so a token is refused with a clear message when reused with another query.
 * Run search has its own keyset cursors (@trackstream/search).
 */
export function queryDigest(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

export function encodeOffsetToken(offset: number, query: unknown): string {
  return Buffer.from(JSON.stringify({ o: offset, q: queryDigest(query) })).toString('base64url');
}

/** undefined/'' → 0. */
export function decodeOffsetToken(token: string | undefined, query: unknown): number {
  if (token === undefined || token === '') return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid(`Invalid page token ${JSON.stringify(token.slice(0, 80))}: not a token this server issued`);
  }
  const p = parsed as { o?: unknown; q?: unknown } | null;
  if (typeof p !== 'object' || p === null || !Number.isSafeInteger(p.o) || (p.o as number) < 0 || typeof p.q !== 'string') {
    throw invalid(`Invalid page token ${JSON.stringify(token.slice(0, 80))}: not a token this server issued`);
  }
  if (p.q !== queryDigest(query)) throw invalid('Invalid page token: it belongs to a different query (filter, order or view type changed)');
  return p.o as number;
}

/** One page of an in-memory list, with the token of the next page or null. */
export function pageOf<T>(items: readonly T[], offset: number, size: number, query: unknown): { items: T[]; nextPageToken: string | null } {
  const page = items.slice(offset, offset + size);
  return { items: page, nextPageToken: offset + size < items.length ? encodeOffsetToken(offset + size, query) : null };
}
