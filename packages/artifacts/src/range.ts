import { ArtifactStoreError } from './errors';

/** Bytes start..end, both inclusive (as HTTP's Range header counts). */
export interface ByteRange {
  start: number;
  end: number;
}

/** Checks a range against a blob's size; RANGE_NOT_SATISFIABLE names both. An end past the size is cut to it. */
export function clampRange(range: ByteRange, size: number): ByteRange {
  if (!Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end) || range.start < 0 || range.end < range.start) {
    throw new ArtifactStoreError('RANGE_NOT_SATISFIABLE', `invalid byte range ${range.start}-${range.end}`, { details: { size } });
  }
  if (range.start >= size) {
    throw new ArtifactStoreError('RANGE_NOT_SATISFIABLE', `range starts at byte ${range.start}, past the end of a ${size}-byte blob`, { details: { size } });
  }
  return { start: range.start, end: Math.min(range.end, size - 1) };
}
