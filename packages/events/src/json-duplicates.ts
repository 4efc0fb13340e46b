import type { PathSegment } from './path';

export interface DuplicateKey {
  /** Path of the repeated member, e.g. `['events', 0, 'payload', 'params', 'lr']`. */
  path: PathSegment[];
  /** Both occurrences hold equal JSON values (harmless) or not (ambiguous: JSON.parse keeps only the last). */
  sameValue: boolean;
}

// Deeper than any event; below it the scan stops recording paths and only skips, so hostile nesting cannot
// exhaust the stack. (Validation rejects such values anyway.)
const MAX_DEPTH = 64;

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d, COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Finds every member name that occurs twice in one JSON object. `raw` must be valid JSON (parse it first): this is a
 * scan for what JSON.parse hides, not a parser. One pass, no allocation for values.
 */
export function findDuplicateKeys(raw: string): DuplicateKey[] {
  const n = raw.length;
  const out: DuplicateKey[] = [];
  const path: PathSegment[] = [];
  let i = 0;

  const skipSpace = () => {
    while (i < n && isSpace(raw.charCodeAt(i))) i++;
  };
  const skipString = () => {
    i++; // opening quote
    for (;;) {
      const c = raw.charCodeAt(i);
      if (c === QUOTE) { i++; return; }
      i += c === BACKSLASH ? 2 : 1;
    }
  };
  const skipNested = () => {
    // Bracket counting only; strings are skipped so brackets inside them do not count.
    let depth = 0;
    do {
      const c = raw.charCodeAt(i);
      if (c === QUOTE) { skipString(); continue; }
      if (c === LBRACE || c === LBRACKET) depth++;
      else if (c === RBRACE || c === RBRACKET) depth--;
      i++;
    } while (depth > 0 && i < n);
  };
  const skipScalar = () => {
    while (i < n) {
      const c = raw.charCodeAt(i);
      if (c === COMMA || c === RBRACE || c === RBRACKET || isSpace(c)) return;
      i++;
    }
  };

  const value = (depth: number): void => {
    skipSpace();
    const c = raw.charCodeAt(i);
    if (c === LBRACE || c === LBRACKET) {
      if (depth >= MAX_DEPTH) skipNested();
      else if (c === LBRACE) object(depth + 1);
      else array(depth + 1);
    } else if (c === QUOTE) skipString();
    else skipScalar();
  };

  const object = (depth: number): void => {
    i++;
    skipSpace();
    if (raw.charCodeAt(i) === RBRACE) { i++; return; }
    const seen = new Map<string, string>(); // key → text of its value
    for (;;) {
      skipSpace();
      const keyStart = i;
      skipString();
      const quoted = raw.slice(keyStart, i);
      const key = quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
      skipSpace();
      i++; // ':'
      skipSpace();
      const start = i;
      path.push(key);
      value(depth);
      path.pop();
      const text = raw.slice(start, i);
      const previous = seen.get(key);
      if (previous === undefined) seen.set(key, text);
      else out.push({ path: [...path, key], sameValue: sameJson(previous, text) });
      skipSpace();
      if (raw.charCodeAt(i) === COMMA) { i++; continue; }
      i++; // '}'
      return;
    }
  };

  const array = (depth: number): void => {
    i++;
    skipSpace();
    if (raw.charCodeAt(i) === RBRACKET) { i++; return; }
    for (let index = 0; ; index++) {
      path.push(index);
      value(depth);
      path.pop();
      skipSpace();
      if (raw.charCodeAt(i) === COMMA) { i++; continue; }
      i++; // ']'
      return;
    }
  };

  value(0);
  return out;
}

function sameJson(a: string, b: string): boolean {
  return a === b || deepEqual(JSON.parse(a), JSON.parse(b));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
