// Derives the committed modules in src/generated/ from the released schemas in schemas/<topic>/.
// Run `npm run generate -w @trackstream/events` after adding a schema version; a unit test fails when they are stale.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventSchemaParts, resolveSchema, type AvroSchema, type CatalogueSource, type ResolvedNode } from './avro-schema';
import { fingerprintOf, parseAvroType } from './catalogue';

export interface CatalogueManifest {
  topic: string;
  versions: { version: number; file: string; fingerprint: string | null }[];
}

/**
 * Reads a catalogue directory. A version whose manifest fingerprint is null is being released now: its computed
 * fingerprint is returned in `released` so the caller records it. A recorded fingerprint that no longer matches
 * means a released schema was edited, which is refused.
 */
export function readCatalogueDir(dir: string): { source: CatalogueSource; manifest: CatalogueManifest; released: number[] } {
  const manifest = JSON.parse(readFileSync(join(dir, 'catalogue.json'), 'utf8')) as CatalogueManifest;
  const released: number[] = [];
  const versions = manifest.versions.map((v, i) => {
    if (v.version !== i + 1) throw new Error(`${dir}/catalogue.json: versions must be 1, 2, 3… in order`);
    const schema = JSON.parse(readFileSync(join(dir, v.file), 'utf8')) as AvroSchema;
    const fingerprint = fingerprintOf(parseAvroType(schema));
    if (v.fingerprint === null) released.push(v.version);
    else if (v.fingerprint !== fingerprint) {
      throw new Error(
        `${v.file} (schema version ${v.version}) now has fingerprint ${fingerprint}, but it was released as ${v.fingerprint}: ` +
          'released schemas never change; add a new version to the catalogue instead',
      );
    }
    return { version: v.version, file: v.file, fingerprint, schema };
  });
  return { source: { topic: manifest.topic, versions }, manifest, released };
}

const HEADER = (what: string) =>
  `// GENERATED from ${what} by \`npm run generate -w @trackstream/events\`. Do not edit by hand.\n`;

export function renderCatalogueModule(source: CatalogueSource): string {
  return (
    HEADER(`schemas/${source.topic}/`) +
    "import type { CatalogueSource } from '../avro-schema';\n\n" +
    `export const CATALOGUE_SOURCE: CatalogueSource = ${JSON.stringify(source, null, 2)};\n`
  );
}

function pascal(type: string): string {
  return type.replace(/(^|_)([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
}

function jsdoc(text: unknown, indent: string): string {
  return typeof text === 'string' && text.length > 0 ? `${indent}/** ${text.replace(/\*\//g, '*\\/')} */\n` : '';
}

/** TypeScript types of the latest schema version: the event union, its envelope and every named type. */
export function renderTypesModule(source: CatalogueSource): string {
  const latest = source.versions[source.versions.length - 1]!;
  const root = resolveSchema(latest.schema);
  const parts = eventSchemaParts(root);
  const docs = collectDocs(latest.schema);
  const payloadNames = new Map(parts.payloads.map((p) => [p.record.fullName, `${pascal(p.type)}Payload`]));
  const declared = new Set<string>();
  const declarations: string[] = [];

  const typeName = (n: ResolvedNode & { kind: 'record' | 'enum' }) => payloadNames.get(n.fullName) ?? n.name;

  const tsOf = (node: ResolvedNode): string => {
    switch (node.kind) {
      case 'primitive':
        switch (node.type) {
          case 'null': return 'null';
          case 'boolean': return 'boolean';
          case 'int': case 'long': case 'float': case 'double': return 'number';
          case 'string': return 'string';
          default: throw new Error(`no TypeScript mapping for Avro ${node.type}`);
        }
      // `string | null`, the usual spelling, whatever the branch order in the schema.
      case 'union': return node.branches.map(tsOf).sort((a, b) => Number(a === 'null') - Number(b === 'null')).join(' | ');
      case 'array': {
        const item = tsOf(node.items);
        return item.includes('|') ? `(${item})[]` : `${item}[]`;
      }
      case 'map': return `Record<string, ${tsOf(node.values)}>`;
      case 'enum':
      case 'record':
        declare(node);
        return typeName(node);
    }
  };

  const fieldsOf = (fields: { name: string; node: ResolvedNode; doc?: unknown }[], indent: string) =>
    fields.map((f) => `${jsdoc(f.doc, indent)}${indent}${f.name}: ${tsOf(f.node)};\n`).join('');

  function declare(node: ResolvedNode & { kind: 'record' | 'enum' }): void {
    if (declared.has(node.fullName)) return;
    declared.add(node.fullName);
    if (node.kind === 'enum') {
      declarations.push(`${jsdoc(docs.get(node.fullName), '')}export type ${typeName(node)} = ${node.symbols.map((s) => `'${s}'`).join(' | ')};\n`);
      return;
    }
    const body = fieldsOf(node.fields.map((f) => ({ ...f, doc: docs.get(`${node.fullName}.${f.name}`) })), '  ');
    declarations.push(`${jsdoc(docs.get(node.fullName), '')}export type ${typeName(node)} = {\n${body}};\n`);
  }

  const rootName = root.kind === 'record' ? root.fullName : '';
  const envelope = parts.envelope.filter((f) => f.attrs['trackstream.origin'] !== 'gateway');
  const gateway = parts.envelope.filter((f) => f.attrs['trackstream.origin'] === 'gateway');
  const withDocs = (fs: typeof envelope) => fs.map((f) => ({ ...f, doc: docs.get(`${rootName}.${f.name}`) }));
  for (const p of parts.payloads) declare(p.record);

  const types = parts.payloads.map((p) => `'${p.type}'`);
  return (
    HEADER(`schemas/${source.topic}/${latest.file} (schema version ${latest.version})`) +
    '\n' +
    `export const EVENT_TYPES = [${types.join(', ')}] as const;\n` +
    'export type EventType = (typeof EVENT_TYPES)[number];\n\n' +
    '/** Fields every event carries, as the producer sends them. */\n' +
    `export type Envelope = {\n${fieldsOf(withDocs(envelope), '  ')}};\n\n` +
    '/** Fields the gateway adds before appending an event to the log. */\n' +
    `export type GatewayFields = {\n${fieldsOf(withDocs(gateway), '  ')}};\n\n` +
    declarations.join('\n') +
    '\n/** One event as sent by a producer, discriminated on `type`. */\n' +
    'export type TrackstreamEvent =\n' +
    parts.payloads.map((p) => `  | (Envelope & { type: '${p.type}'; payload: ${payloadNames.get(p.record.fullName)} })\n`).join('') +
    '  ;\n\n' +
    '/** The payload type of each event type. */\n' +
    `export type EventPayloads = {\n${parts.payloads.map((p) => `  ${p.type}: ${payloadNames.get(p.record.fullName)};\n`).join('')}};\n`
  );
}

/** `doc` strings by full name (`ns.Record`) and field (`ns.Record.field`); resolved nodes do not carry them. */
function collectDocs(schema: AvroSchema): Map<string, string> {
  const docs = new Map<string, string>();
  const visit = (s: AvroSchema, ns: string | undefined): void => {
    if (Array.isArray(s)) return s.forEach((b) => visit(b, ns));
    if (typeof s !== 'object' || s === null) return;
    if ((s.type === 'record' || s.type === 'enum') && s.name) {
      const full = s.name.includes('.') ? s.name : `${s.namespace ?? ns}.${s.name}`;
      const inner = full.slice(0, full.lastIndexOf('.'));
      if (typeof s.doc === 'string') docs.set(full, s.doc);
      for (const f of s.fields ?? []) {
        if (typeof f.doc === 'string') docs.set(`${full}.${f.name}`, f.doc);
        visit(f.type, inner);
      }
      return;
    }
    if (s.items) visit(s.items, ns);
    if (s.values) visit(s.values, ns);
    if (typeof s.type === 'object') visit(s.type, ns);
  };
  visit(schema, undefined);
  return docs;
}
