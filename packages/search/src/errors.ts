export type SearchErrorCode = 'FILTER_INVALID' | 'ORDER_BY_INVALID' | 'PAGE_TOKEN_INVALID' | 'MAX_RESULTS_INVALID';

/** A search request the client got wrong; the query API answers 400 with `code`, `position` and `expected`. */
export class SearchError extends Error {
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
