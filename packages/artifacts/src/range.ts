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

/**
 * An HTTP `Range` header (one `bytes=` range: `a-b`, `a-`, `-n`) against a blob's size, clamped; null when the
 * header is absent. RANGE_NOT_SATISFIABLE for a malformed header, several ranges, or one past the end.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | null {
  if (header === undefined || header === '') return null;
  const m = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) {
    throw new ArtifactStoreError('RANGE_NOT_SATISFIABLE', `Range header ${JSON.stringify(header.slice(0, 100))} is not a single bytes=start-end range`, { details: { size } });
  }
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw new ArtifactStoreError('RANGE_NOT_SATISFIABLE', `Range ${header} asks for no bytes of a ${size}-byte artifact`, { details: { size } });
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  return clampRange({ start, end: m[2] === '' ? Number.MAX_SAFE_INTEGER : Number(m[2]) }, size);
}
