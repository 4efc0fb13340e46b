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
 * scan for what JSON.parse hides, not a parser. One pass, no allocation for values. Stops early once `maxConflicts`
 * duplicates with different values were found.
 */
export function findDuplicateKeys(raw: string, maxConflicts = Infinity): DuplicateKey[] {
  const n = raw.length;
  const out: DuplicateKey[] = [];
  const path: PathSegment[] = [];
  let conflicts = 0;
  let i = 0;

  const skipSpace = () => {
    while (i < n && isSpace(raw.charCodeAt(i))) i++;
  };
  const skipString = () => {
    // indexOf is native and fast; a quote is escaped when an odd number of backslashes precede it.
    let q = raw.indexOf('"', i + 1);
    for (;;) {
      let b = q - 1;
      while (raw.charCodeAt(b) === BACKSLASH) b--;
      if ((q - 1 - b) % 2 === 0) break;
      q = raw.indexOf('"', q + 1);
    }
    i = q + 1;
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

  /** The text of the value starting at `start`; only needed for duplicates, so rescanning is fine. */
  const valueTextAt = (start: number): string => {
    const saved = i;
    i = start;
    const c = raw.charCodeAt(i);
    if (c === LBRACE || c === LBRACKET) skipNested();
    else if (c === QUOTE) skipString();
    else skipScalar();
    const text = raw.slice(start, i);
    i = saved;
    return text;
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
    // Most objects have a handful of keys: a linear search beats a Map there; large maps switch to one.
    const keys: string[] = [];
    const starts: number[] = [];
    let index: Map<string, number> | undefined;
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
      const previous = index ? index.get(key) : keys.indexOf(key);
      if (previous === undefined || previous === -1) {
        keys.push(key);
        starts.push(start);
        if (index) index.set(key, keys.length - 1);
        else if (keys.length > 16) index = new Map(keys.map((k, n) => [k, n]));
      } else {
        const sameValue = sameJson(valueTextAt(starts[previous]!), raw.slice(start, i));
        out.push({ path: [...path, key], sameValue });
        if (!sameValue && ++conflicts >= maxConflicts) throw STOP;
      }
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

  try {
    value(0);
  } catch (err) {
    if (err !== STOP) throw err;
  }
  return out;
}

const STOP = Symbol('enough duplicates found');

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
