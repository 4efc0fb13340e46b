/**
 * JSON cannot spell NaN or infinity; the API writes them as the strings the events' JSON form uses, so a value
 * read back looks like the value written.
 */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export function jsonNumber(n: number): JsonNumber {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return n;
}

export function jsonNumberOrNull(n: number | null): JsonNumber | null {
  return n === null ? null : jsonNumber(n);
}

/** ClickHouse's `toString(Float64)` spelling (`nan`, `inf`, `-inf`) to a JS number. */
export function parseClickHouseFloat(s: string): number {
  switch (s) {
    case 'nan':
    case '-nan':
      return NaN;
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    default:
      return Number(s);
  }
}

/** Postgres returns bigint as a decimal string; epoch ms and steps fit a double exactly in practice. */
export function toNumberOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : Number(v);
}

/** node-postgres parses float8 to a JS number, including NaN and ±Infinity. */
export function pgFloat(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : parseFloat(String(v));
}
