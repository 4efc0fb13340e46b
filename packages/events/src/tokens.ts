import { TokenDecodeError } from './errors';

/** The log positions a write produced: partition → the highest offset written (decimal string). */
export type LogPositions = { topic: string; positions: Record<number, string> };

// A version prefix lets the token format change later without misreading old tokens.
const PREFIX = 'p1.';
const MAX_TOKEN_LENGTH = 16_384;
const OFFSET = /^(0|[1-9][0-9]{0,18})$/;
const PARTITION = /^(0|[1-9][0-9]{0,8})$/;

export function encodePositionsToken(p: LogPositions): string {
  const positions: Record<string, string> = {};
  for (const [partition, offset] of Object.entries(p.positions)) {
    if (!PARTITION.test(partition) || !OFFSET.test(offset)) {
      // A caller bug, not a bad token from a client.
      throw new RangeError(`invalid log position: partition ${partition}, offset ${offset}`);
    }
    positions[partition] = offset;
  }
  return PREFIX + Buffer.from(JSON.stringify({ t: p.topic, p: positions }), 'utf8').toString('base64url');
}

/** Throws TokenDecodeError (code TOKEN_INVALID) for anything encodePositionsToken did not produce. */
export function decodePositionsToken(token: string): LogPositions {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !token.startsWith(PREFIX)) {
    throw new TokenDecodeError('not a Trackstream positions token');
  }
  const body = token.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) throw new TokenDecodeError('positions token is not base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new TokenDecodeError('positions token is damaged');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TokenDecodeError('positions token is damaged');
  const { t, p } = parsed as { t?: unknown; p?: unknown };
  if (typeof t !== 'string' || t.length === 0 || typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new TokenDecodeError('positions token is damaged');
  }
  const positions: Record<number, string> = {};
  for (const [partition, offset] of Object.entries(p)) {
    if (!PARTITION.test(partition) || typeof offset !== 'string' || !OFFSET.test(offset)) {
      throw new TokenDecodeError('positions token holds an invalid position');
    }
    positions[Number(partition)] = offset;
  }
  return { topic: t, positions };
}
