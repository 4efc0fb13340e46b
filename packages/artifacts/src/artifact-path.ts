import { TrackstreamError } from '@trackstream/errors';

/** A run's artifact path that breaks the rules; `reason` names which rule, for a 400 that says what is wrong. */
export class ArtifactPathError extends TrackstreamError {
  readonly code = 'INVALID_ARTIFACT_PATH';
  readonly retriable = false;
  constructor(readonly reason: 'EMPTY' | 'ABSOLUTE' | 'BACKSLASH' | 'NUL' | 'CONTROL' | 'DOT_SEGMENT' | 'EMPTY_SEGMENT' | 'SEGMENT_TOO_LONG' | 'TOO_LONG' | 'TOO_DEEP', message: string) {
    super(message);
    this.name = 'ArtifactPathError';
  }
}

export const ARTIFACT_PATH_LIMITS = Object.freeze({ maxLength: 1024, maxSegmentLength: 255, maxDepth: 32 });

/**
 * The one rule for a run's artifact path (`models/model.pt`): relative, `/`-separated, no `.`/`..`/empty segments,
 * no backslash, NUL or control characters, bounded length and depth. Returns the path unchanged when it is valid.
 */
export function validateArtifactPath(path: string): string {
  const L = ARTIFACT_PATH_LIMITS;
  if (path.length === 0) throw new ArtifactPathError('EMPTY', 'artifact path is empty');
  if (path.includes('\0')) throw new ArtifactPathError('NUL', 'artifact path contains a NUL character');
  // eslint-disable-next-line no-control-regex
  if (/[\u0001-\u001f\u007f]/.test(path)) throw new ArtifactPathError('CONTROL', 'artifact path contains a control character');
  if (path.includes('\\')) throw new ArtifactPathError('BACKSLASH', 'artifact path contains a backslash; use / between segments');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw new ArtifactPathError('ABSOLUTE', `artifact path must be relative: ${JSON.stringify(path.slice(0, 100))}`);
  if (path.length > L.maxLength) throw new ArtifactPathError('TOO_LONG', `artifact path is ${path.length} characters; at most ${L.maxLength}`);
  const segments = path.split('/');
  if (segments.length > L.maxDepth) throw new ArtifactPathError('TOO_DEEP', `artifact path has ${segments.length} segments; at most ${L.maxDepth}`);
  for (const s of segments) {
    if (s === '') throw new ArtifactPathError('EMPTY_SEGMENT', `artifact path has an empty segment (// or a trailing /): ${JSON.stringify(path.slice(0, 100))}`);
    if (s === '.' || s === '..') throw new ArtifactPathError('DOT_SEGMENT', `artifact path must not contain '${s}' segments: ${JSON.stringify(path.slice(0, 100))}`);
    if (s.length > L.maxSegmentLength) throw new ArtifactPathError('SEGMENT_TOO_LONG', `artifact path segment of ${s.length} characters; at most ${L.maxSegmentLength}`);
  }
  return path;
}
