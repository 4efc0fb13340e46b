export { SearchError, FilterSyntaxError, type SearchErrorCode } from './errors';
export { tokenize, MAX_FILTER_LENGTH, type Token, type TokenKind } from './tokenizer';
export { parseFilter, parseOrderBy, MAX_DEPTH, MAX_COMPARISONS, MAX_IN_VALUES, MAX_ORDER_BY, type OrderItem, type Direction, type KeyRef } from './parser';
export { ATTRIBUTES, ATTRIBUTE_ALIASES, PREFIXES, type FilterAst, type Comparison, type Entity, type Operator, type Literal } from './ast';
export { compileSearch, DEFAULT_MAX_RESULTS, MAX_MAX_RESULTS, type SearchRequest, type CompiledSearch } from './compile';
