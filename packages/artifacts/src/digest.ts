import { ArtifactStoreError } from './errors';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True for a lower-case hex sha256 digest (64 characters). */
export function isSha256(value: string): boolean {
  return SHA256_HEX.test(value);
}

export function assertSha256(value: string): string {
  if (!isSha256(value)) throw new ArtifactStoreError('INVALID_DIGEST', `not a sha256 digest (64 lower-case hex characters): ${JSON.stringify(value.slice(0, 80))}`);
  return value;
}

/** The one content-addressed layout: blobs/sha256/ab/cd/<hex>, for every backend. */
export function blobKey(sha256: string): string {
  assertSha256(sha256);
  return `blobs/sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/** The digest a blob key names, or null for any other key. */
export function digestOfKey(key: string): string | null {
  const m = /^blobs\/sha256\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(key);
  if (m === null || !m[3]!.startsWith(m[1]! + m[2]!)) return null;
  return m[3]!;
}

const SCRATCH_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Scratch keys (multipart parts, staging) are `/`-separated safe segments; checked once here for every backend. */
export function assertScratchKey(key: string): string {
  const segments = key.split('/');
  if (segments.length === 0 || segments.length > 8 || !segments.every((s) => SCRATCH_SEGMENT.test(s))) {
    throw new ArtifactStoreError('INVALID_KEY', `scratch key must be 1-8 segments of [A-Za-z0-9_.-] (not starting with . _ -): ${JSON.stringify(key.slice(0, 200))}`);
  }
  return key;
}
