import type * as avro from 'avsc';
import type { AvroSchemaObject } from './avro-schema';
import { eventCatalogue, parseAvroType, type Catalogue, type SchemaVersion } from './catalogue';
import { EventDecodeError, EventEncodeError } from './errors';
import type { StoredEvent } from './stored-event';

// Avro single-object encoding: marker, 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, body.
const MARKER_0 = 0xc3;
const MARKER_1 = 0x01;
const HEADER_LENGTH = 10;

export interface EventCodec {
  /** The schema version records are written with. */
  readonly writer: SchemaVersion;
  /** The schema version records are decoded into, whatever version wrote them. */
  readonly reader: SchemaVersion;
  encode(event: StoredEvent): Buffer;
  decode(record: Buffer): StoredEvent;
}

interface ReadPlan {
  type: avro.Type;
  resolver: avro.Resolver | undefined;
  /** Payload branch full name → event type, for the branches the reader knows. */
  typeOfBranch: Map<string, string>;
}

function payloadFieldOf(schema: unknown): { type: unknown[] } {
  const fields = (schema as AvroSchemaObject).fields ?? [];
  return fields.find((f) => f.name === 'payload') as unknown as { type: unknown[] };
}

/**
 * How to read records of `writer` as `reader`. Avro resolution fails as a whole when the writer's payload union has a
 * branch the reader lacks (an event type added later), so such branches are grafted onto the reader's union: records
 * of the known types decode as usual, and only records of the unknown type are refused, one by one.
 */
function planRead(reader: SchemaVersion, writer: SchemaVersion): ReadPlan {
  const typeOfBranch = new Map(reader.parts.payloads.map((p) => [p.record.fullName, p.type]));
  if (reader === writer) return { type: reader.type, resolver: undefined, typeOfBranch };
  const missing = writer.parts.payloads.map((p, i) => ({ p, i })).filter(({ p }) => !typeOfBranch.has(p.record.fullName));
  let type = reader.type;
  if (missing.length > 0) {
    const schema = structuredClone(reader.schema);
    const writerBranches = payloadFieldOf(writer.schema).type;
    payloadFieldOf(schema).type.push(...missing.map(({ i }) => writerBranches[i]));
    type = parseAvroType(schema);
  }
  return { type, resolver: type.createResolver(writer.type), typeOfBranch };
}

/** Plain objects all the way down: avsc decodes records into class instances. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = plain((value as Record<string, unknown>)[key]);
      // Assigning "__proto__" would set the prototype instead of adding the key.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
    }
    return out;
  }
  return value;
}

export function createEventCodec(
  catalogue: Catalogue = eventCatalogue(),
  options: { writerVersion?: number; readerVersion?: number } = {},
): EventCodec {
  const pick = (version: number | undefined, role: string) => {
    if (version === undefined) return catalogue.latest;
    const v = catalogue.versions.find((x) => x.version === version);
    if (!v) throw new Error(`${role} schema version ${version} is not in the catalogue of ${catalogue.topic}`);
    return v;
  };
  const writer = pick(options.writerVersion, 'writer');
  const reader = pick(options.readerVersion, 'reader');
  const branchOfType = new Map(writer.parts.payloads.map((p) => [p.type, p.record.fullName]));
  const header = Buffer.concat([Buffer.from([MARKER_0, MARKER_1]), Buffer.from(writer.fingerprint, 'hex')]);
  const plans = new Map<string, ReadPlan | Error>();

  const planFor = (fingerprint: string): ReadPlan => {
    let plan = plans.get(fingerprint);
    if (plan === undefined) {
      const w = catalogue.byFingerprint(fingerprint);
      if (!w) {
        plan = new EventDecodeError(`unknown writer schema fingerprint ${fingerprint}: not in the catalogue of ${catalogue.topic}`);
      } else {
        try {
          plan = planRead(reader, w);
        } catch (err) {
          plan = new EventDecodeError(`records of schema version ${w.version} cannot be read as version ${reader.version}: ${(err as Error).message}`, { cause: err });
        }
      }
      plans.set(fingerprint, plan);
    }
    if (plan instanceof Error) throw plan;
    return plan;
  };

  return {
    writer,
    reader,
    encode(event) {
      const branch = branchOfType.get(event.type);
      if (!branch) throw new EventEncodeError(`event type ${JSON.stringify(event.type)} is not in schema version ${writer.version}`);
      const value = {
        event_id: event.event_id, project: event.project, experiment_id: event.experiment_id, run_id: event.run_id,
        occurred_at: event.occurred_at, received_at: event.received_at, principal: event.principal,
        payload: { [branch]: event.payload },
      };
      let body: Buffer;
      try {
        body = writer.type.toBuffer(value);
      } catch (err) {
        const paths: string[] = [];
        writer.type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
        throw new EventEncodeError(`event ${event.event_id} does not fit schema version ${writer.version}` +
          (paths.length > 0 ? ` (bad: ${paths.join(', ')})` : `: ${(err as Error).message}`), { cause: err });
      }
      return Buffer.concat([header, body], header.length + body.length);
    },
    decode(record) {
      if (!Buffer.isBuffer(record) || record.length < HEADER_LENGTH || record[0] !== MARKER_0 || record[1] !== MARKER_1) {
        throw new EventDecodeError('not an Avro single-object encoded record (no C3 01 marker and fingerprint)');
      }
      const plan = planFor(record.toString('hex', 2, HEADER_LENGTH));
      let value: Record<string, unknown>;
      try {
        value = plan.type.fromBuffer(record.subarray(HEADER_LENGTH), plan.resolver) as Record<string, unknown>;
      } catch (err) {
        throw new EventDecodeError(`corrupt record body: ${(err as Error).message}`, { cause: err });
      }
      const wrapped = value['payload'] as Record<string, unknown>;
      const branch = Object.keys(wrapped)[0]!;
      const type = plan.typeOfBranch.get(branch);
      if (!type) {
        throw new EventDecodeError(`record of payload type ${branch} is unknown to schema version ${reader.version} (upgrade this reader)`);
      }
      const event = plain(value) as Record<string, unknown>;
      return {
        event_id: event['event_id'], type, project: event['project'], experiment_id: event['experiment_id'],
        run_id: event['run_id'], occurred_at: event['occurred_at'], received_at: event['received_at'],
        principal: event['principal'], payload: (event['payload'] as Record<string, unknown>)[branch],
      } as StoredEvent;
    },
  };
}

let defaultCodec: EventCodec | undefined;
const codec = () => (defaultCodec ??= createEventCodec());

/** Avro single-object encoding with the latest schema version of the catalogue. Throws EventEncodeError. */
export function encodeEvent(event: StoredEvent): Buffer {
  return codec().encode(event);
}

/** Decodes a record written by any schema version of the catalogue. Throws EventDecodeError. */
export function decodeEvent(record: Buffer): StoredEvent {
  return codec().decode(record);
}
