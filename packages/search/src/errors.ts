import { TrackstreamError } from '@trackstream/errors';
export type SearchErrorCode = 'FILTER_INVALID' | 'ORDER_BY_INVALID' | 'PAGE_TOKEN_INVALID' | 'MAX_RESULTS_INVALID';

/** A search request the client got wrong; the query API answers 400 with `code`, `position` and `expected`. */
export class SearchError extends TrackstreamError {
  readonly retriable = false as const;
  constructor(
    readonly code: SearchErrorCode,
    message: string,
    readonly position?: number,
    readonly expected?: string,
  ) {
    super(message);
    this.name = 'SearchError';
  }
}

/** Alias kept for readers who look for the parser's error by that name. */
export const FilterSyntaxError = SearchError;
export type FilterSyntaxError = SearchError;

export function syntaxError(position: number, expected: string, found: string): SearchError {
  return new SearchError('FILTER_INVALID', `filter: at position ${position} expected ${expected}, found ${found}`, position, expected);
}

/**
 * Positions are found on JS strings (UTF-16 units); clients count characters (code points, as Python's str does).
 * Rewrites the error's position and message to the character offset when astral characters precede it.
 */
export function inCharacters(input: string, e: SearchError, rewrite: (message: string) => string = (m) => m): SearchError {
  if (e.position === undefined) return new SearchError(e.code, rewrite(e.message), e.position, e.expected);
  const chars = Array.from(input.slice(0, e.position)).length;
  const message = chars === e.position ? e.message : e.message.replace(`at position ${e.position}`, `at position ${chars}`);
  return new SearchError(e.code, rewrite(message), chars, e.expected);
}
