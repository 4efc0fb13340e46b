/**
 * The filter box's error display: the server names what is wrong and (for a syntax error) the character position;
 * the box shows the filter with that spot marked.
 */
export interface FilterErrorView {
  message: string;
  /** Present when the server gave a position inside (or at the end of) the filter. */
  mark: { before: string; at: string; after: string } | null;
}

export function filterErrorView(filter: string, error: { message: string; details?: unknown }): FilterErrorView {
  const position = (error.details as { position?: unknown } | undefined)?.position;
  if (typeof position !== 'number' || !Number.isInteger(position) || position < 0 || position > filter.length) {
    return { message: error.message, mark: null };
  }
  const at = filter.slice(position, position + 1);
  return { message: error.message, mark: { before: filter.slice(0, position), at: at === '' ? ' ' : at, after: filter.slice(position + 1) } };
}

/** Filter text as the runs page keeps it in its URL hash: trimmed; empty means no filter. */
export function normalizeFilter(raw: string): string | null {
  const t = raw.trim();
  return t === '' ? null : t;
}
