import { createHash, randomBytes } from 'node:crypto';
import { authError } from './errors';

/** 'tsk_' + 43 base64url characters = 32 random bytes. */
export const TOKEN_PATTERN = /^tsk_[A-Za-z0-9_-]{43}$/;
const TOKEN_ID_PATTERN = /^tk_[A-Za-z0-9_-]{16}$/;

/** Opaque bearer token: 'tsk_' + 43 base64url chars (32 random bytes). Only sha256(token) hex is stored. */
export function generateToken(): string {
  return 'tsk_' + randomBytes(32).toString('base64url');
}

/** Public id of a token record ('tk_' + 16 base64url chars, 96 random bits): listed, logged, used by revoke. */
export function generateTokenId(): string {
  return 'tk_' + randomBytes(12).toString('base64url');
}

export function isTokenId(value: string): boolean {
  return TOKEN_ID_PATTERN.test(value);
}

/**
 * sha256 hex of the whole token, unsalted and fast on purpose. Salting and slow KDFs (bcrypt, scrypt) protect
 * low-entropy secrets (passwords) from guessing; a token carries 256 bits from the CSPRNG, so a leaked hash cannot
 * be inverted or guessed at any hashing speed and precomputed tables are useless. A deterministic hash lets the
 * validator find a record with one Map lookup (and Postgres with a unique index) instead of comparing a
 * presented token against every record; the lookup compares hashes, never the token itself.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Parses 'Authorization: Bearer <token>'; undefined when the header is absent (or empty); throws
 * AuthError('TOKEN_MALFORMED') if it is garbled: another scheme, no token, extra parts, or a token that is not
 * one of ours. The message never repeats the header.
 */
export function bearerToken(authorizationHeader: string | undefined): string | undefined {
  if (authorizationHeader === undefined || authorizationHeader.trim() === '') return undefined;
  const m = /^\s*Bearer +(\S+)\s*$/i.exec(authorizationHeader);
  if (m === null) throw authError('TOKEN_MALFORMED', "Authorization header must be 'Bearer <token>'");
  const token = m[1]!;
  if (!TOKEN_PATTERN.test(token)) {
    throw authError('TOKEN_MALFORMED', "bearer token is not a Trackstream token ('tsk_' + 43 base64url characters)");
  }
  return token;
}
