// A small typed view of Avro schema JSON, shared by everything derived from the catalogue
// (validation, JSON conversion, TypeScript generation), so each walks the schema the same way.

export type AvroSchema = string | AvroSchema[] | AvroSchemaObject;
export interface AvroSchemaObject {
  type: AvroSchema;
  name?: string;
  namespace?: string;
  fields?: AvroField[];
  symbols?: string[];
  items?: AvroSchema;
  values?: AvroSchema;
  [attribute: string]: unknown;
}
export interface AvroField {
  name: string;
  type: AvroSchema;
  default?: unknown;
  doc?: string;
  [attribute: string]: unknown;
}

export const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** A schema node with its named references resolved; attributes come from the node itself. */
export type ResolvedNode =
  | { kind: 'primitive'; type: string; attrs: Record<string, unknown> }
  | { kind: 'record'; fullName: string; name: string; fields: ResolvedField[]; attrs: Record<string, unknown> }
  | { kind: 'enum'; fullName: string; name: string; symbols: string[]; attrs: Record<string, unknown> }
  | { kind: 'array'; items: ResolvedNode; attrs: Record<string, unknown> }
  | { kind: 'map'; values: ResolvedNode; attrs: Record<string, unknown> }
  | { kind: 'union'; branches: ResolvedNode[] };
export interface ResolvedField {
  name: string;
  node: ResolvedNode;
  hasDefault: boolean;
  default: unknown;
  attrs: Record<string, unknown>;
}

function fullNameOf(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/** The validation metadata the schemas may carry (see schemas/README.md); a misspelt one must not pass silently. */
export const KNOWN_ATTRIBUTES = new Set([
  'trackstream.format', 'trackstream.minLength', 'trackstream.maxLength', 'trackstream.keyMaxLength',
  'trackstream.maxItems', 'trackstream.maxEntries', 'trackstream.minimum', 'trackstream.origin',
]);

function attributesOf(obj: Record<string, unknown>): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('trackstream.')) continue;
    if (!KNOWN_ATTRIBUTES.has(k)) throw new Error(`unknown schema attribute ${k}`);
    attrs[k] = v;
  }
  return attrs;
}

/**
 * Resolves a schema into a tree of nodes. Named types are resolved once and shared (records stay the same object
 * wherever they are referenced), which lets callers memoise per record.
 */
export function resolveSchema(schema: AvroSchema): ResolvedNode {
  const named = new Map<string, ResolvedNode>();

  const visit = (s: AvroSchema, ns: string | undefined): ResolvedNode => {
    if (typeof s === 'string') {
      if (PRIMITIVES.has(s)) return { kind: 'primitive', type: s, attrs: {} };
      const ref = named.get(fullNameOf(s, ns)) ?? named.get(s);
      if (!ref) throw new Error(`unknown Avro type name ${s}`);
      return ref;
    }
    if (Array.isArray(s)) return { kind: 'union', branches: s.map((b) => visit(b, ns)) };
    const attrs = attributesOf(s);
    const t = s.type;
    if (typeof t === 'string' && PRIMITIVES.has(t)) return { kind: 'primitive', type: t, attrs };
    if (t === 'record' || t === 'error') {
      const fullName = fullNameOf(s.name!, s.namespace ?? ns);
      const innerNs = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : undefined;
      const node: ResolvedNode & { kind: 'record' } = {
        kind: 'record', fullName, name: fullName.slice(fullName.lastIndexOf('.') + 1), fields: [], attrs,
      };
      named.set(fullName, node);
      for (const f of s.fields ?? []) {
        node.fields.push({
          name: f.name,
          node: visit(f.type, innerNs),
          hasDefault: Object.prototype.hasOwnProperty.call(f, 'default'),
          default: f.default,
          attrs: attributesOf(f),
        });
      }
      return node;
    }
    if (t === 'enum') {
      const fullName = fullNameOf(s.name!, s.namespace ?? ns);
      const node: ResolvedNode = {
        kind: 'enum', fullName, name: fullName.slice(fullName.lastIndexOf('.') + 1), symbols: [...(s.symbols ?? [])], attrs,
      };
      named.set(fullName, node);
      return node;
    }
    if (t === 'array') return { kind: 'array', items: visit(s.items!, ns), attrs };
    if (t === 'map') return { kind: 'map', values: visit(s.values!, ns), attrs };
    if (typeof t === 'string') return visit(t, ns);
    throw new Error(`unsupported Avro schema node ${JSON.stringify(s)}`);
  };

  return visit(schema, undefined);
}

/** `ExperimentCreated` → `experiment_created`: the event type a payload union branch stands for. */
export function eventTypeOfRecordName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The Event record's shape: envelope fields and, per event type, the payload record. */
export interface EventSchemaParts {
  envelope: ResolvedField[];
  payloads: { type: string; record: ResolvedNode & { kind: 'record' } }[];
}

export function eventSchemaParts(root: ResolvedNode): EventSchemaParts {
  if (root.kind !== 'record') throw new Error('the event schema must be a record');
  const payloadField = root.fields.find((f) => f.name === 'payload');
  if (!payloadField || payloadField.node.kind !== 'union') throw new Error('the event schema needs a payload union field');
  const payloads = payloadField.node.branches.map((b) => {
    if (b.kind !== 'record') throw new Error('every payload branch must be a record');
    return { type: eventTypeOfRecordName(b.name), record: b };
  });
  return { envelope: root.fields.filter((f) => f !== payloadField), payloads };
}

/** The catalogue as released: every schema version of one topic, with its recorded fingerprint. */
export interface CatalogueSource {
  topic: string;
  versions: CatalogueVersionSource[];
}
export interface CatalogueVersionSource {
  version: number;
  /** File name under schemas/<topic>/. */
  file: string;
  /** The 8 bytes after 0xC3 0x01 in a record this version wrote (CRC-64-AVRO, little-endian), as hex. */
  fingerprint: string;
  schema: AvroSchema;
}
