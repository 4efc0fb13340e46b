import * as avro from 'avsc';
import { eventSchemaParts, resolveSchema, type AvroSchema, type CatalogueSource, type EventSchemaParts } from './avro-schema';
import { crc64Avro } from './crc64';
import { CATALOGUE_SOURCE } from './generated/catalogue';

export interface SchemaVersion {
  version: number;
  file: string;
  /** Hex of the little-endian CRC-64-AVRO fingerprint, as it appears in the single-object header. */
  fingerprint: string;
  schema: AvroSchema;
  /** Parsing Canonical Form: what the fingerprint is computed over. */
  canonical: string;
  type: avro.Type;
  parts: EventSchemaParts;
}

export interface Catalogue {
  topic: string;
  /** Oldest first. */
  versions: readonly SchemaVersion[];
  latest: SchemaVersion;
  byFingerprint(hex: string): SchemaVersion | undefined;
}

export function parseAvroType(schema: AvroSchema): avro.Type {
  // 'auto' leaves ["null", X] unwrapped (null or the value) and wraps the payload union ({ fullName: value }).
  return avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' });
}

/** avsc's `schema()` is the Parsing Canonical Form: full names, no docs/defaults/attributes, spec key order. */
export function canonicalForm(type: avro.Type): string {
  return JSON.stringify(type.schema());
}

export function fingerprintOf(type: avro.Type): string {
  return crc64Avro(canonicalForm(type)).toString('hex');
}

/**
 * Parses every version of a catalogue. A version whose recorded fingerprint does not match its schema was edited
 * after release, which would make old records undecodable, so that is refused here.
 */
export function loadCatalogue(source: CatalogueSource): Catalogue {
  if (source.versions.length === 0) throw new Error(`catalogue of ${source.topic} has no schema version`);
  const versions: SchemaVersion[] = source.versions.map((v) => {
    const type = parseAvroType(v.schema);
    const fingerprint = fingerprintOf(type);
    if (v.fingerprint !== fingerprint) {
      throw new Error(
        `schema version ${v.version} (${v.file}) has fingerprint ${fingerprint} but was released as ${v.fingerprint}: ` +
          'a released schema must never change; add a new version instead',
      );
    }
    return {
      version: v.version, file: v.file, fingerprint, schema: v.schema, canonical: canonicalForm(type), type,
      parts: eventSchemaParts(resolveSchema(v.schema)),
    };
  });
  const byFp = new Map(versions.map((v) => [v.fingerprint, v]));
  if (byFp.size !== versions.length) throw new Error(`catalogue of ${source.topic} holds two identical schema versions`);
  return {
    topic: source.topic,
    versions,
    latest: versions[versions.length - 1]!,
    byFingerprint: (hex) => byFp.get(hex),
  };
}

let defaultCatalogue: Catalogue | undefined;

/** The catalogue released with this package (schemas/trackstream.events.v1). */
export function eventCatalogue(): Catalogue {
  defaultCatalogue ??= loadCatalogue(CATALOGUE_SOURCE);
  return defaultCatalogue;
}

/** The fingerprint a schema gets in the catalogue (hex of the single-object header bytes). */
export function schemaFingerprint(schema: AvroSchema): string {
  return fingerprintOf(parseAvroType(schema));
}
