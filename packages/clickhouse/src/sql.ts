import { TrackstreamError } from '@trackstream/errors';
/**
 * The one place where values become SQL text. ClickHouse 18.16 has no query parameters, so every value the
 * package (and the query API) puts into a statement is inlined through `literal`, `identifier` or the `sql` tag.
 *
 * The output is accepted identically by ClickHouse 18.16 and current releases: string literals use only the
 * backslash escapes both parsers know, and the text stays valid UTF-8 so the HTTP body never mangles it.
 */

export type SqlScalar = string | number | bigint | boolean | null;
export type SqlValue = SqlScalar | readonly SqlValue[];

export class SqlLiteralError extends TrackstreamError {
  readonly code = 'SQL_LITERAL_INVALID';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'SqlLiteralError';
  }
}

/** SQL text that is inlined as is: only `sql`, `identifier` and `raw` make one. */
export class SqlFragment {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

// A lone UTF-16 surrogate has no UTF-8 form: sending it would silently turn into U+FFFD, so it is refused.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Control characters (C0, DEL) become \xHH: the parser never sees a raw newline, NUL or escape byte.
const NEEDS_ESCAPE = /[\\'\u0000-\u001f\u007f]/g;

function escapeChar(ch: string): string {
  if (ch === '\\') return '\\\\';
  if (ch === "'") return "\\'";
  return '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
}

/** A single-quoted ClickHouse string literal that reads back as exactly `s`. */
export function stringLiteral(s: string): string {
  if (typeof s !== 'string') throw new SqlLiteralError(`expected a string, got ${typeof s}`);
  if (LONE_SURROGATE.test(s)) throw new SqlLiteralError('string contains a lone UTF-16 surrogate (not representable in UTF-8)');
  return "'" + s.replace(NEEDS_ESCAPE, escapeChar) + "'";
}

const MIN_NORMAL = 2.2250738585072014e-308;

function float64Hex(n: number): string {
  const buf = Buffer.alloc(8);
  buf.writeDoubleLE(n);
  return buf.toString('hex').toUpperCase();
}

/**
 * A numeric literal. Non-finite values use the `nan`/`inf` literals both versions parse; -0 keeps its sign.
 * Integers beyond 2^53 must come as bigint: a JS number there has already lost digits.
 */
export function numberLiteral(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (typeof n !== 'number') throw new SqlLiteralError(`expected a number, got ${typeof n}`);
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  // A leading minus would combine with a preceding "-" into a "--" comment; the parentheses keep it a value.
  if (n === -Infinity) return '(-inf)';
  if (Object.is(n, -0)) return '(-0.)';
  // 18.16's parser rejects subnormal literals ("1e-310" is a syntax error), so those are spelt by their bits.
  if (Math.abs(n) < MIN_NORMAL && n !== 0) return `reinterpretAsFloat64(unhex('${float64Hex(n)}'))`;
  // String(n) is the shortest text that reads back as the same double ("1e+21", "0.1").
  const text = String(n);
  return n < 0 ? `(${text})` : text;
}

/** Any supported value: strings, numbers, booleans (as 1/0: 18.16 has no Bool), NULL, and arrays of these. */
export function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return stringLiteral(value);
    case 'number':
    case 'bigint':
      return numberLiteral(value);
    case 'boolean':
      return value ? '1' : '0';
    default:
      break;
  }
  if (Array.isArray(value)) return '[' + value.map((v: SqlValue) => literal(v)).join(', ') + ']';
  throw new SqlLiteralError(`cannot inline a value of type ${typeof value}`);
}

/** A back-quoted identifier (database, table, column, alias) that names exactly `name`. */
export function identifier(name: string): SqlFragment {
  if (typeof name !== 'string' || name.length === 0) throw new SqlLiteralError('an identifier must be a non-empty string');
  if (LONE_SURROGATE.test(name)) throw new SqlLiteralError('identifier contains a lone UTF-16 surrogate');
  return new SqlFragment('`' + name.replace(/[\\`\u0000-\u001f\u007f]/g, (ch) => (ch === '`' ? '\\`' : escapeChar(ch))) + '`');
}

/** `database`.`table` */
export function qualified(database: string, table: string): SqlFragment {
  return new SqlFragment(`${identifier(database).text}.${identifier(table).text}`);
}

/** Trusted SQL text written in this codebase (never user input). */
export function raw(text: string): SqlFragment {
  return new SqlFragment(text);
}

/**
 * Tagged template: every interpolated value becomes a literal, except fragments (identifiers, nested `sql`),
 * which are inlined as they are. `sql\`SELECT * FROM ${qualified(db, 't')} WHERE run_id = ${runId}\``.
 */
export function sql(strings: TemplateStringsArray, ...values: readonly (SqlValue | SqlFragment)[]): SqlFragment {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += v instanceof SqlFragment ? v.text : literal(v);
    out += strings[i + 1] ?? '';
  });
  return new SqlFragment(out);
}

/** Joins fragments and/or values (as literals) with a separator: IN lists, column lists. */
export function join(items: readonly (SqlValue | SqlFragment)[], separator = ', '): SqlFragment {
  return new SqlFragment(items.map((v) => (v instanceof SqlFragment ? v.text : literal(v))).join(separator));
}
