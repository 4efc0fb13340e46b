import { syntaxError } from './errors';

export type TokenKind = 'word' | 'quoted_key' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma' | 'eof';

export interface Token {
  kind: TokenKind;
  /** word: the word as written; quoted_key/string: the unescaped content; number: the literal text; op: the operator. */
  text: string;
  /** 0-based offset of the token's first character in the input. */
  position: number;
  /** For `string` tokens: the quote character, because a double-quoted token may also be a key. */
  quote?: '"' | "'" | '`';
}

/** Longest filter accepted; every value is bound, so this only bounds parse time and memory. */
export const MAX_FILTER_LENGTH = 200_000;

// A word starts with a letter or underscore and may hold dots (metrics.val_acc), dashes, slashes and colons,
// which MLflow keys commonly contain. Unicode letters are allowed so non-ASCII keys need no quoting.
const WORD_START = /[\p{L}_]/u;
const WORD_PART = /[\p{L}\p{N}_.\-/:]/u;
const NUMBER = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?/;
const OPERATORS = ['<=', '>=', '!=', '<>', '==', '=', '<', '>'];

function describe(input: string, i: number): string {
  if (i >= input.length) return 'end of filter';
  const cp = input.codePointAt(i)!;
  return JSON.stringify(String.fromCodePoint(cp));
}

/** Splits a filter into tokens. Throws SearchError (FILTER_INVALID) with the offending position. */
export function tokenize(input: string): Token[] {
  if (input.length > MAX_FILTER_LENGTH) {
    throw syntaxError(MAX_FILTER_LENGTH, `a filter of at most ${MAX_FILTER_LENGTH} characters`, `${input.length} characters`);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\u0000') throw syntaxError(i, 'a token', 'a NUL character');
    if (c === '(') tokens.push({ kind: 'lparen', text: c, position: i++ });
    else if (c === ')') tokens.push({ kind: 'rparen', text: c, position: i++ });
    else if (c === ',') tokens.push({ kind: 'comma', text: c, position: i++ });
    else if (c === "'" || c === '"' || c === '`') {
      const start = i;
      const [text, end] = readQuoted(input, i, c);
      tokens.push({ kind: c === '`' ? 'quoted_key' : 'string', text, position: start, quote: c });
      i = end;
    } else if ((c >= '0' && c <= '9') || c === '.' || (c === '-' && /[0-9.]/.test(input[i + 1] ?? ''))) {
      const m = NUMBER.exec(input.slice(i, i + 400));
      if (!m) throw syntaxError(i, 'a number', describe(input, i));
      const after = i + m[0].length;
      if (after < input.length && WORD_PART.test(input[after]!)) throw syntaxError(after, 'an operator or end of number', describe(input, after));
      tokens.push({ kind: 'number', text: m[0], position: i });
      i = after;
    } else if (WORD_START.test(String.fromCodePoint(input.codePointAt(i)!))) {
      const start = i;
      while (i < input.length) {
        const ch = String.fromCodePoint(input.codePointAt(i)!);
        if (!WORD_PART.test(ch)) break;
        i += ch.length;
      }
      tokens.push({ kind: 'word', text: input.slice(start, i), position: start });
    } else {
      const op = OPERATORS.find((o) => input.startsWith(o, i));
      if (!op) throw syntaxError(i, 'a key, value, operator or parenthesis', describe(input, i));
      tokens.push({ kind: 'op', text: op === '<>' ? '!=' : op === '==' ? '=' : op, position: i });
      i += op.length;
    }
  }
  tokens.push({ kind: 'eof', text: '', position: input.length });
  return tokens;
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', '`': '`', n: '\n', t: '\t', r: '\r' };

/**
 * Reads a quoted string starting at `start` (the quote). A quote is escaped by doubling it (SQL style, as MLflow's
 * parser) or by a backslash; other backslash sequences stay as written so LIKE patterns like 'a\_b' keep their escape.
 */
function readQuoted(input: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < input.length) {
    const c = input[i]!;
    if (c === quote) {
      if (input[i + 1] === quote) {
        out += quote;
        i += 2;
        continue;
      }
      return [out, i + 1];
    }
    if (c === '\u0000') throw syntaxError(i, `a character or the closing ${quote}`, 'a NUL character');
    if (c === '\\' && i + 1 < input.length) {
      const next = input[i + 1]!;
      const esc = ESCAPES[next];
      if (esc !== undefined) {
        out += esc;
        i += 2;
        continue;
      }
    }
    out += c;
    i++;
  }
  throw syntaxError(input.length, `the closing ${quote} of the string opened at position ${start}`, 'end of filter');
}
