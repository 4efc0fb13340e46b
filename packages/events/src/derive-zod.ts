// Builds the zod validators of producers' JSON from the Avro schema: the schema says the shape, its
// `trackstream.*` attributes say the limits (by LIMITS name), and a field with an Avro default may be omitted.
import { z } from 'zod';
import type { ResolvedField, ResolvedNode } from './avro-schema';
import { LIMITS, type NumericLimitName } from './limits';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
// NUL cannot be stored in a Postgres text column, and an unpaired surrogate cannot be encoded as UTF-8 (Avro would
// silently replace it): both would turn into poison records downstream, so they are refused at the door.
const UNSTORABLE = /[\u0000\p{Cs}]/u;
const NON_FINITE = new Map([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]]);

function limit(value: unknown, where: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && typeof LIMITS[value as NumericLimitName] === 'number') return LIMITS[value as NumericLimitName];
  throw new Error(`${where}: unknown limit ${JSON.stringify(value)}`);
}

/** Length in Unicode code points, as MLflow (Python `len`) and Postgres `varchar(n)` count characters. */
function charLength(v: string, atMost: number): number {
  if (v.length <= atMost) return v.length; // UTF-16 units ≥ code points, so this is within the bound already
  let n = 0;
  for (const _ of v) n++;
  return n;
}

function stringSchema(attrs: Record<string, unknown>): z.ZodType<string> {
  const min = attrs['trackstream.minLength'] === undefined ? 0 : limit(attrs['trackstream.minLength'], 'trackstream.minLength');
  const max = attrs['trackstream.maxLength'] === undefined ? Infinity : limit(attrs['trackstream.maxLength'], 'trackstream.maxLength');
  let pattern: { re: RegExp; message: string } | undefined;
  switch (attrs['trackstream.format']) {
    case undefined: break;
    case 'uuid': pattern = { re: UUID, message: 'must be a UUID (8-4-4-4-12 hex digits)' }; break;
    case 'id': pattern = { re: LIMITS.idPattern, message: `must match ${LIMITS.idPattern.source} (1 to 128 letters, digits, '_', '.', ':', '-', starting with a letter or digit)` }; break;
    case 'sha256': pattern = { re: SHA256, message: 'must be a SHA-256 digest: 64 lowercase hex digits' }; break;
    default: throw new Error(`unknown trackstream.format ${String(attrs['trackstream.format'])}`);
  }
  return z.string().superRefine((v, ctx) => {
    if (min > 0 && v.length === 0) ctx.addIssue({ code: 'custom', message: 'must not be empty', input: v });
    else if (min > 1 && charLength(v, min) < min) ctx.addIssue({ code: 'custom', message: `must be at least ${min} characters`, input: v });
    if (max !== Infinity) {
      const n = charLength(v, max);
      if (n > max) ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters (got ${n})`, input: v });
    }
    if (pattern && !pattern.re.test(v)) ctx.addIssue({ code: 'custom', message: pattern.message, input: v });
    else if (UNSTORABLE.test(v)) ctx.addIssue({ code: 'custom', message: 'must not contain NUL characters or unpaired surrogates', input: v });
  });
}

/**
 * The largest long avsc encodes without precision loss (its zig-zag encoding doubles the value in floating point):
 * one less than Number.MAX_SAFE_INTEGER. Anything larger would be refused by the Kafka encoder after validation passed.
 */
export const MAX_LONG = Number.MAX_SAFE_INTEGER - 1;

function integerSchema(attrs: Record<string, unknown>, bits: 32 | 64): z.ZodType<number> {
  const max = bits === 32 ? 2 ** 31 - 1 : MAX_LONG;
  const min = attrs['trackstream.minimum'] !== undefined ? limit(attrs['trackstream.minimum'], 'trackstream.minimum') : -max;
  return z.number().refine((v) => Number.isInteger(v) && v >= min && v <= max, {
    message: min === 0 ? `must be a non-negative integer ≤ ${max}` : `must be an integer between ${min} and ${max}`,
  });
}

/** Avro double in JSON: a number, or one of the strings the design doc allows for non-finite values. */
const doubleSchema = z
  .custom<number | string>((v) => typeof v === 'number' || (typeof v === 'string' && NON_FINITE.has(v)), {
    message: 'must be a number, or one of the strings "NaN", "Infinity", "-Infinity"',
  })
  .transform((v) => (typeof v === 'string' ? NON_FINITE.get(v)! : v));

function nodeSchema(node: ResolvedNode, records: Map<string, z.ZodType>): z.ZodType {
  switch (node.kind) {
    case 'primitive':
      switch (node.type) {
        case 'string': return stringSchema(node.attrs);
        case 'long': return integerSchema(node.attrs, 64);
        case 'int': return integerSchema(node.attrs, 32);
        case 'double': case 'float': return doubleSchema;
        case 'boolean': return z.boolean();
        case 'null': return z.null();
        default: throw new Error(`no JSON validation for Avro ${node.type}`);
      }
    case 'union': {
      const nonNull = node.branches.filter((b) => !(b.kind === 'primitive' && b.type === 'null'));
      if (nonNull.length !== 1) throw new Error('only ["null", T] unions are supported inside events');
      const inner = nodeSchema(nonNull[0]!, records);
      return nonNull.length < node.branches.length ? inner.nullable() : inner;
    }
    case 'enum':
      return z.enum(node.symbols as [string, ...string[]], { message: `must be one of ${node.symbols.join(', ')}` });
    case 'array': {
      let a = z.array(nodeSchema(node.items, records));
      if (node.attrs['trackstream.maxItems'] !== undefined) a = a.max(limit(node.attrs['trackstream.maxItems'], 'trackstream.maxItems'));
      return a;
    }
    case 'map': {
      const keyAttrs: Record<string, unknown> = { 'trackstream.minLength': 1 };
      if (node.attrs['trackstream.keyMaxLength'] !== undefined) keyAttrs['trackstream.maxLength'] = node.attrs['trackstream.keyMaxLength'];
      const maxEntries = node.attrs['trackstream.maxEntries'] === undefined ? Infinity : limit(node.attrs['trackstream.maxEntries'], 'trackstream.maxEntries');
      // Checked before the entries are, so an oversized map costs one count, not a validation of every entry.
      // zod skips a "__proto__" key (JSON.parse makes it an own property); it would vanish silently, so refuse it.
      return z
        .unknown()
        .superRefine((v, ctx) => {
          if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
          const entries = Object.keys(v).length;
          if (entries > maxEntries) ctx.addIssue({ code: 'custom', message: `must have at most ${maxEntries} entries (got ${entries})`, input: v });
          if (Object.prototype.hasOwnProperty.call(v, '__proto__')) {
            ctx.addIssue({ code: 'custom', path: ['__proto__'], message: 'key "__proto__" is reserved', input: v });
          }
        })
        .pipe(z.record(stringSchema(keyAttrs), nodeSchema(node.values, records)));
    }
    case 'record': {
      const known = records.get(node.fullName);
      if (known) return known;
      const schema = z.strictObject(fieldShape(node.fields, records));
      records.set(node.fullName, schema);
      return schema;
    }
  }
}

/** Fields the gateway fills in (`trackstream.origin: gateway`) are not part of what a producer sends. */
export function fieldShape(fields: readonly ResolvedField[], records: Map<string, z.ZodType> = new Map()): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) {
    if (f.attrs['trackstream.origin'] === 'gateway') continue;
    const schema = nodeSchema(f.node, records);
    // Defaults are JSON values of Avro's JSON encoding; cloned so no two events share a mutable default.
    shape[f.name] = f.hasDefault ? schema.optional().transform((v) => (v === undefined ? structuredClone(f.default) : v)) : schema;
  }
  return shape;
}

export function recordSchema(node: ResolvedNode & { kind: 'record' }, records: Map<string, z.ZodType> = new Map()): z.ZodType {
  return nodeSchema(node, records);
}
