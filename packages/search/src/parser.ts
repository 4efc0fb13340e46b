import { ATTRIBUTES, ATTRIBUTE_ALIASES, isNumericAttribute, PREFIXES, type Comparison, type Entity, type FilterAst, type Literal, type Operator } from './ast';
import { inCharacters, SearchError, syntaxError } from './errors';
import { MAX_FILTER_LENGTH, tokenize, type Token } from './tokenizer';

/** Parentheses and NOT nest at most this deep: a bounded error instead of a stack overflow. */
export const MAX_DEPTH = 64;
/** Comparisons per filter; each costs bound parameters (Postgres allows 65535 per statement). */
export const MAX_COMPARISONS = 500;
/** Values in one IN list (bound as one array parameter). */
export const MAX_IN_VALUES = 10_000;
/** Longest key, as the events contract (LIMITS.keyLength). */
export const MAX_KEY_LENGTH = 250;

function found(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of filter';
    case 'string':
    case 'quoted_key':
      return `${t.quote}${t.text.length > 40 ? t.text.slice(0, 40) + '…' : t.text}${t.quote}`;
    default:
      return JSON.stringify(t.text.length > 40 ? t.text.slice(0, 40) + '…' : t.text);
  }
}

function isKeyword(t: Token, word: string): boolean {
  return t.kind === 'word' && t.text.toUpperCase() === word;
}

/** A key reference: the left-hand side of a comparison, or an order_by item. */
export interface KeyRef {
  entity: Entity;
  key: string;
  position: number;
}

export class TokenStream {
  private i = 0;
  constructor(readonly tokens: Token[]) {}
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
  expect(pred: (t: Token) => boolean, expected: string): Token {
    const t = this.peek();
    if (!pred(t)) throw syntaxError(t.position, expected, found(t));
    return this.next();
  }
}

const KEY_EXPECTED = 'a key like metrics.<key>, params.<key>, tags.<key> or attributes.<name>';

/** Reads `prefix.key`, `prefix.\`quoted key\``, `prefix."quoted key"` or a bare attribute name. */
export function parseKeyRef(ts: TokenStream): KeyRef {
  const t = ts.expect((x) => x.kind === 'word' && !['AND', 'OR', 'NOT'].includes(x.text.toUpperCase()), KEY_EXPECTED);
  const dot = t.text.indexOf('.');
  let entity: Entity;
  let key: string;
  if (dot < 0) {
    entity = 'attribute';
    key = t.text;
  } else {
    const prefix = t.text.slice(0, dot);
    const e = PREFIXES[prefix.toLowerCase()];
    if (!e) throw syntaxError(t.position, 'one of the prefixes metrics., params., tags., attributes.', JSON.stringify(prefix + '.'));
    entity = e;
    key = t.text.slice(dot + 1);
    if (key === '') {
      const q = ts.peek();
      if (q.kind === 'quoted_key' || (q.kind === 'string' && q.quote === '"')) {
        ts.next();
        key = q.text;
      } else {
        throw syntaxError(q.position, `a key after "${prefix}." (quote keys with spaces: ${prefix}.\`my key\`)`, found(q));
      }
    }
  }
  if (key.length === 0) throw syntaxError(t.position, 'a non-empty key', 'an empty key');
  if (key.length > MAX_KEY_LENGTH) throw syntaxError(t.position, `a key of at most ${MAX_KEY_LENGTH} characters`, `${key.length} characters`);
  if (entity === 'attribute') {
    const canonical = ATTRIBUTES[key] !== undefined ? key : ATTRIBUTE_ALIASES[key.toLowerCase()];
    if (!canonical) throw syntaxError(t.position, `an attribute (${Object.keys(ATTRIBUTES).join(', ')})`, JSON.stringify(key));
    key = canonical;
  }
  return { entity, key, position: t.position };
}

class Parser {
  private depth = 0;
  private comparisons = 0;
  /** Where each literal was written, for errors about its type. */
  readonly positions = new WeakMap<Literal, number>();
  constructor(private readonly ts: TokenStream) {}

  parse(): FilterAst {
    if (this.ts.peek().kind === 'eof') return { kind: 'all' };
    const ast = this.or();
    this.ts.expect((t) => t.kind === 'eof', 'AND, OR or end of filter');
    return ast;
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) throw syntaxError(t.position, `at most ${MAX_DEPTH} nested parentheses or NOTs`, 'deeper nesting');
  }

  private or(): FilterAst {
    const items = [this.and()];
    while (isKeyword(this.ts.peek(), 'OR')) {
      this.ts.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private and(): FilterAst {
    const items = [this.unary()];
    while (isKeyword(this.ts.peek(), 'AND')) {
      this.ts.next();
      items.push(this.unary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private unary(): FilterAst {
    const t = this.ts.peek();
    if (isKeyword(t, 'NOT')) {
      this.ts.next();
      this.enter(t);
      const item = this.unary();
      this.depth--;
      return { kind: 'not', item };
    }
    if (t.kind === 'lparen') {
      this.ts.next();
      this.enter(t);
      const inner = this.or();
      this.ts.expect((x) => x.kind === 'rparen', 'AND, OR or ")"');
      this.depth--;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Comparison {
    const ref = parseKeyRef(this.ts);
    if (++this.comparisons > MAX_COMPARISONS) throw syntaxError(ref.position, `at most ${MAX_COMPARISONS} comparisons`, 'more');
    const opTok = this.ts.peek();
    let op: Operator;
    if (opTok.kind === 'op') {
      this.ts.next();
      op = opTok.text as Operator;
    } else if (isKeyword(opTok, 'NOT')) {
      this.ts.next();
      const t2 = this.ts.expect((x) => isKeyword(x, 'IN') || isKeyword(x, 'LIKE') || isKeyword(x, 'ILIKE'), 'IN, LIKE or ILIKE after NOT');
      op = `NOT ${t2.text.toUpperCase()}` as Operator;
    } else if (isKeyword(opTok, 'IN') || isKeyword(opTok, 'LIKE') || isKeyword(opTok, 'ILIKE')) {
      this.ts.next();
      op = opTok.text.toUpperCase() as Operator;
    } else {
      throw syntaxError(opTok.position, 'a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)', found(opTok));
    }
    checkOperator(ref, op, opTok);
    const value = op === 'IN' || op === 'NOT IN' ? this.list() : this.literal();
    checkValue(ref, op, value, this.positions);
    return { kind: 'comparison', entity: ref.entity, key: ref.key, op, value, position: ref.position };
  }

  private literal(): Literal {
    const t = this.ts.expect((x) => x.kind === 'string' || x.kind === 'number', 'a quoted string or a number');
    let lit: Literal;
    if (t.kind === 'string') {
      lit = { type: 'string', value: t.text };
    } else {
      const value = Number(t.text);
      if (!Number.isFinite(value)) throw syntaxError(t.position, 'a finite number', t.text);
      lit = { type: 'number', value, text: t.text };
    }
    this.positions.set(lit, t.position);
    return lit;
  }

  private list(): Literal[] {
    this.ts.expect((t) => t.kind === 'lparen', '"(" to open the IN list');
    const items = [this.literal()];
    while (this.ts.peek().kind === 'comma') {
      this.ts.next();
      if (items.length >= MAX_IN_VALUES) throw syntaxError(this.ts.peek().position, `at most ${MAX_IN_VALUES} values in IN`, 'more');
      items.push(this.literal());
    }
    this.ts.expect((t) => t.kind === 'rparen', '"," or ")" to close the IN list');
    return items;
  }
}

const NUMERIC_OPS: Operator[] = ['=', '!=', '<', '<=', '>', '>='];

function checkOperator(ref: KeyRef, op: Operator, at: Token): void {
  const numericOnly = ref.entity === 'metric' || (ref.entity === 'attribute' && isNumericAttribute(ref.key));
  if (numericOnly && !NUMERIC_OPS.includes(op)) {
    throw syntaxError(at.position, `a numeric comparison (=, !=, <, <=, >, >=) for ${describeRef(ref)}`, op);
  }
  if (ref.entity === 'attribute' && ATTRIBUTES[ref.key] === 'string' && ['<', '<=', '>', '>='].includes(op)) {
    throw syntaxError(at.position, `=, !=, LIKE, ILIKE, IN or NOT IN for ${describeRef(ref)}`, op);
  }
}

function checkValue(ref: KeyRef, op: Operator, value: Literal | Literal[], positions: WeakMap<Literal, number>): void {
  const values = Array.isArray(value) ? value : [value];
  const numericOnly = ref.entity === 'metric' || (ref.entity === 'attribute' && isNumericAttribute(ref.key));
  const badNumber = values.find((v) => v.type !== 'number');
  if (numericOnly && badNumber) {
    throw syntaxError(positions.get(badNumber) ?? ref.position, `a number for ${describeRef(ref)}`, 'a string');
  }
  // Strings compare as strings; a number compares numerically, which makes no sense for LIKE, IN or string attributes.
  const stringOnly = op.includes('LIKE') || op.includes('IN') || (ref.entity === 'attribute' && ATTRIBUTES[ref.key] === 'string');
  const badString = values.find((v) => v.type !== 'string');
  if (!numericOnly && stringOnly && badString) {
    throw syntaxError(positions.get(badString) ?? ref.position, `a quoted string for ${op} on ${describeRef(ref)}`, 'a number');
  }
}

function describeRef(ref: KeyRef): string {
  const prefix = { metric: 'metrics', param: 'params', tag: 'tags', attribute: 'attributes' }[ref.entity];
  return `${prefix}.${ref.key.length > 40 ? ref.key.slice(0, 40) + '…' : ref.key}`;
}

/** Parses a search filter into an AST. An empty or blank filter matches every run. Throws SearchError. */
export function parseFilter(filter: string): FilterAst {
  if (typeof filter !== 'string') throw new SearchError('FILTER_INVALID', 'filter: must be a string', 0, 'a string');
  try {
    return new Parser(new TokenStream(tokenize(filter))).parse();
  } catch (e) {
    if (e instanceof SearchError && e.position !== undefined && filter.length <= MAX_FILTER_LENGTH) throw inCharacters(filter, e);
    throw e;
  }
}

export type Direction = 'ASC' | 'DESC';
export interface OrderItem extends KeyRef {
  direction: Direction;
}

export const MAX_ORDER_BY = 10;

/** Parses order_by items like MLflow's: `metrics.acc DESC`, `attributes.start_time`, `params.lr ASC`. */
export function parseOrderBy(items: readonly string[]): OrderItem[] {
  if (!Array.isArray(items)) throw new SearchError('ORDER_BY_INVALID', 'order_by: must be a list of strings', undefined, 'a list of strings');
  if (items.length > MAX_ORDER_BY) {
    throw new SearchError('ORDER_BY_INVALID', `order_by: at most ${MAX_ORDER_BY} items, got ${items.length}`, undefined, `at most ${MAX_ORDER_BY} items`);
  }
  return items.map((item, index) => {
    try {
      if (typeof item !== 'string') throw new SearchError('ORDER_BY_INVALID', 'not a string', 0, 'a string');
      const ts = new TokenStream(tokenize(item));
      const ref = parseKeyRef(ts);
      let direction: Direction = 'ASC';
      const d = ts.peek();
      if (isKeyword(d, 'ASC') || isKeyword(d, 'DESC')) {
        ts.next();
        direction = d.text.toUpperCase() as Direction;
      }
      ts.expect((t) => t.kind === 'eof', 'ASC, DESC or end of order_by item');
      return { ...ref, direction };
    } catch (e) {
      if (!(e instanceof SearchError)) throw e;
      const inItem = typeof item === 'string' && item.length <= MAX_FILTER_LENGTH ? inCharacters(item, e) : e;
      throw new SearchError(
        'ORDER_BY_INVALID',
        `order_by[${index}]: ${inItem.message.replace(/^filter: /, '').replace('end of filter', 'end of item')}`,
        inItem.position,
        inItem.expected,
      );
    }
  });
}
