import { hasUnstorableText } from '@trackstream/events';
import { invalid } from './errors';

/**
 * Reading MLflow request messages from their JSON form (proto3 JSON as MLflow's client writes it, GET query strings
 * included): each reader checks one field's type and names the field when it is wrong, so a bad request is an
 * INVALID_PARAMETER_VALUE naming what is wrong, never a 500.
 */
export type Message = Record<string, unknown>;

export function asMessage(value: unknown, what = 'request body'): Message {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what} must be a JSON object`);
  return value as Message;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 60)}`;
}

/** Query strings repeat keys for lists; a scalar field given twice takes the first. */
function scalar(v: unknown): unknown {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? v[0] : v;
}

export function optString(m: Message, field: string): string | undefined {
  const v = scalar(m[field]);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`Invalid value ${describe(v)} for parameter '${field}' supplied: it must be a string`);
  if (hasUnstorableText(v)) throw invalid(`Invalid value for parameter '${field}' supplied: it must not contain a NUL character or an unpaired UTF-16 surrogate`);
  return v;
}

export function reqString(m: Message, field: string, alias?: string): string {
  const v = optString(m, field) ?? (alias === undefined ? undefined : optString(m, alias));
  if (v === undefined || v === '') throw invalid(`Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`);
  return v;
}

/** int64/int32: a JSON number or a decimal string (proto3 JSON writes int64 as strings). */
export function optInt(m: Message, field: string): number | undefined {
  const v = scalar(m[field]);
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,19}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isSafeInteger(n)) throw invalid(`Invalid value ${describe(v)} for parameter '${field}' supplied: it must be an integer`);
  return n;
}

export function reqInt(m: Message, field: string): number {
  const v = optInt(m, field);
  if (v === undefined) throw invalid(`Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`);
  return v;
}

/** double: a number or "NaN" / "Infinity" / "-Infinity" (also a decimal string). */
export function optDouble(m: Message, field: string): number | undefined {
  const v = scalar(m[field]);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity' || v === 'inf') return Infinity;
    if (v === '-Infinity' || v === '-inf') return -Infinity;
    if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim())) return Number(v);
  }
  throw invalid(`Invalid value ${describe(v)} for parameter '${field}' supplied: it must be a number`);
}

export function reqDouble(m: Message, field: string): number {
  const v = optDouble(m, field);
  if (v === undefined) throw invalid(`Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`);
  return v;
}

export function optEnum<T extends string>(m: Message, field: string, symbols: readonly T[], numbers?: Readonly<Record<number, T>>): T | undefined {
  const v = scalar(m[field]);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && (symbols as readonly string[]).includes(v)) return v as T;
  if (numbers !== undefined) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
    if (numbers[n] !== undefined) return numbers[n];
  }
  throw invalid(`Invalid value ${describe(v)} for parameter '${field}' supplied: it must be one of ${symbols.join(', ')}`);
}

export function optArray(m: Message, field: string): unknown[] {
  const v = m[field];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v]; // a list given once in a query string
  if (!Array.isArray(v)) throw invalid(`Invalid value ${describe(v)} for parameter '${field}' supplied: it must be a list`);
  return v;
}

export function stringList(m: Message, field: string): string[] {
  return optArray(m, field).map((x, i) => {
    if (typeof x !== 'string') throw invalid(`Invalid value ${describe(x)} for parameter '${field}[${i}]' supplied: it must be a string`);
    if (hasUnstorableText(x)) throw invalid(`Invalid value for parameter '${field}[${i}]' supplied: it must not contain a NUL character or an unpaired UTF-16 surrogate`);
    return x;
  });
}

/** A repeated message field (tags, metrics, params …). */
export function messageList(m: Message, field: string): Message[] {
  return optArray(m, field).map((x, i) => asMessage(x, `'${field}[${i}]'`));
}

/** Key/value pairs ({key, value} messages); a missing value is the empty string, as proto3 reads it. */
export function keyValues(m: Message, field: string): { key: string; value: string }[] {
  return messageList(m, field).map((kv, i) => {
    const key = optString(kv, 'key');
    if (key === undefined) throw invalid(`Missing value for required parameter '${field}[${i}].key'.`);
    return { key, value: optString(kv, 'value') ?? '' };
  });
}
