import { InvalidArgumentError } from './errors';
import { eventToJson, LIMITS, parseEvent, type TrackstreamEvent } from './wire';

export type ParamValue = string | number | boolean | bigint;

/** A metric/param/tag key: non-empty and within the length limit (the schema's rule). */
export function checkKey(argument: string, key: unknown): string {
  if (typeof key !== 'string') throw new InvalidArgumentError(argument, `key must be a string, got ${describe(key)}`);
  if (key.length === 0) throw new InvalidArgumentError(argument, 'key must not be empty');
  if (key.length > LIMITS.keyLength && chars(key) > LIMITS.keyLength) {
    throw new InvalidArgumentError(argument, `key is ${chars(key)} characters, the limit is ${LIMITS.keyLength}`);
  }
  return key;
}

// The schema's long range (@trackstream/events): the Avro encoder is exact up to one below MAX_SAFE_INTEGER.
const MAX_LONG = Number.MAX_SAFE_INTEGER - 1;

export function checkStep(argument: string, step: unknown): number {
  if (typeof step !== 'number' || !Number.isInteger(step) || step > MAX_LONG || step < -MAX_LONG) {
    throw new InvalidArgumentError(argument, `step must be a finite integer between ${-MAX_LONG} and ${MAX_LONG}, got ${describe(step)}`);
  }
  return step;
}

export function checkTimestamp(argument: string, ts: unknown): number {
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < 0 || ts > MAX_LONG) {
    throw new InvalidArgumentError(argument, `timestamp must be a non-negative integer of ms since the epoch, got ${describe(ts)}`);
  }
  return ts;
}

/** Metric values are doubles; NaN and ±Infinity are legal (a diverging loss is data worth keeping). */
export function checkMetricValue(argument: string, value: unknown): number {
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `metric value must be a number, got ${describe(value)}`);
  return value;
}

export function checkId(argument: string, id: unknown): string {
  if (typeof id !== 'string' || !LIMITS.idPattern.test(id)) {
    throw new InvalidArgumentError(argument, `must match ${String(LIMITS.idPattern)}, got ${describe(id)}`);
  }
  return id;
}

export function checkName(argument: string, name: unknown, max: number = LIMITS.keyLength): string {
  if (typeof name !== 'string' || name.trim().length === 0) throw new InvalidArgumentError(argument, `must be a non-empty string, got ${describe(name)}`);
  if (name.length > max && chars(name) > max) throw new InvalidArgumentError(argument, `is ${chars(name)} characters, the limit is ${max}`);
  return name;
}

/** Params and tags are string-valued on the wire; scalars are stringified the way MLflow users expect. */
export function stringifyValue(argument: string, value: unknown, max: number): string {
  let s: string;
  if (typeof value === 'string') s = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') s = String(value);
  else throw new InvalidArgumentError(argument, `value must be a string, number, boolean or bigint, got ${describe(value)}`);
  if (s.length > max && chars(s) > max) throw new InvalidArgumentError(argument, `value is ${chars(s)} characters, the limit is ${max}`);
  return s;
}

export function checkRecord(argument: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, `must be a plain object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

export function stringMap(argument: string, value: unknown, maxValue: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(checkRecord(argument, value))) {
    checkKey(`${argument} key ${JSON.stringify(k)}`, k);
    // Assigning it would set the prototype and the entry would vanish; the schema refuses it too.
    if (k === '__proto__') throw new InvalidArgumentError(`${argument}.__proto__`, 'key "__proto__" is reserved');
    out[k] = stringifyValue(`${argument}.${k}`, v, maxValue);
  }
  return out;
}

/**
 * Length in code points, as the schema counts it (an emoji is one character, two UTF-16 units). Only called
 * when the UTF-16 length is over a limit, which the code-point count can never exceed.
 */
function chars(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  return typeof v;
}

/**
 * The gateway's own validation (the shared schema), run at the call for every event but the hot-path metrics
 * (those get the hand-written checks above, which implement the same rules). A problem becomes an error naming
 * the argument, so nothing the SDK accepts can be refused later, when the caller's stack is long gone.
 */
export function checkEvent(event: TrackstreamEvent): void {
  const r = parseEvent(eventToJson(event));
  if (r.ok) return;
  const first = r.problems[0]!;
  const argument = first.path.replace(/^payload\./, '') || event.type;
  const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more problem(s))` : '';
  throw new InvalidArgumentError(argument, `${first.message}${more}`);
}
