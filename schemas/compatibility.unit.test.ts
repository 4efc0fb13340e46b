import {
  eventCatalogue, exampleEvents, loadCatalogue, schemaFingerprint, createEventCodec, EventDecodeError,
  type AvroSchema, type Catalogue, type StoredEvent,
} from '@trackstream/events';
import { checkCatalogue } from './compatibility';

const samples = (): StoredEvent[] =>
  exampleEvents().map((e) => ({ ...e, received_at: 1763900000999, principal: 'user:auditor' }) as StoredEvent);

type Json = Record<string, unknown>;

/** The record or enum named `name` anywhere in a schema (JSON), to mutate it in a test-local version. */
function named(schema: unknown, name: string): Json {
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (typeof node === 'object' && node !== null) {
      if ((node as Json)['name'] === name && ((node as Json)['type'] === 'record' || (node as Json)['type'] === 'enum')) return node as Json;
      stack.push(...Object.values(node));
    }
  }
  throw new Error(`no ${name} in schema`);
}

/** The released catalogue plus a test-local next version made by `change` from the latest one. */
function withNextVersion(change: (schema: Json) => void): Catalogue {
  const released = eventCatalogue();
  const next = structuredClone(released.latest.schema) as Json;
  change(next);
  const versions = released.versions.map((v) => ({ version: v.version, file: v.file, fingerprint: v.fingerprint, schema: v.schema }));
  const version = versions.length + 1;
  versions.push({ version, file: `event.v${version}.avsc`, fingerprint: schemaFingerprint(next as AvroSchema), schema: next as AvroSchema });
  return loadCatalogue({ topic: released.topic, versions });
}

const fieldsOf = (record: Json) => record['fields'] as Json[];

/** The newest released version (L) and the test-local next one (N). */
const L = eventCatalogue().latest.version;
const N = L + 1;

describe('schema catalogue compatibility', () => {
  test('given the released catalogue, when every version reads what every version wrote, then all records decode equal', () => {
    expect(eventCatalogue().versions.length).toBeGreaterThanOrEqual(1);
    expect(checkCatalogue(eventCatalogue(), samples())).toEqual([]);
  });

  test('given a released schema edited in place, when the catalogue is loaded, then it is refused', () => {
    const v1 = eventCatalogue().versions[0]!;
    const edited = structuredClone(v1.schema) as Json;
    fieldsOf(named(edited, 'MetricPoint')).push({ name: 'unit', type: ['null', 'string'], default: null });
    expect(() => loadCatalogue({ topic: 't', versions: [{ version: 1, file: v1.file, fingerprint: v1.fingerprint, schema: edited as AvroSchema }] }))
      .toThrow(/released schema must never change/);
  });

  describe('given a test-local next version', () => {
    test('that adds a field with a default, then old and new readers read each other\'s records', () => {
      const catalogue = withNextVersion((s) => {
        fieldsOf(named(s, 'MetricPoint')).push({ name: 'unit', type: ['null', 'string'], default: null });
      });
      expect(checkCatalogue(catalogue, samples())).toEqual([]);
      const metrics = samples().find((e) => e.type === 'metrics_logged')!;
      const oldRecordNewReader = createEventCodec(catalogue, { writerVersion: L, readerVersion: N }).decode(
        createEventCodec(catalogue, { writerVersion: L }).encode(metrics),
      );
      expect((oldRecordNewReader.payload as unknown as { points: { unit: unknown }[] }).points[0]!.unit).toBeNull();
    });

    test('that adds a field without a default, then the check fails (the new reader cannot read old records)', () => {
      const catalogue = withNextVersion((s) => {
        fieldsOf(named(s, 'MetricPoint')).push({ name: 'unit', type: 'string' });
      });
      const failures = checkCatalogue(catalogue, samples());
      expect(failures).toContainEqual(expect.objectContaining({ writer: L, reader: N, type: 'metrics_logged' }));
    });

    test('that removes a field without a default, then the check fails (an old reader needs it)', () => {
      const catalogue = withNextVersion((s) => {
        const point = named(s, 'MetricPoint');
        point['fields'] = fieldsOf(point).filter((f) => f['name'] !== 'step');
      });
      expect(checkCatalogue(catalogue, samples())).toContainEqual(expect.objectContaining({ writer: N, reader: L, type: 'metrics_logged' }));
    });

    test('that renames a field in place, then the check fails', () => {
      const catalogue = withNextVersion((s) => {
        fieldsOf(named(s, 'RunCompleted')).find((f) => f['name'] === 'end_time')!['name'] = 'finished_at';
      });
      const failures = checkCatalogue(catalogue, samples());
      expect(failures).toContainEqual(expect.objectContaining({ writer: L, reader: N, type: 'run_completed' }));
      expect(failures).toContainEqual(expect.objectContaining({ writer: N, reader: L, type: 'run_completed' }));
    });

    test('that narrows a type (long step to int), then the check fails', () => {
      const catalogue = withNextVersion((s) => {
        fieldsOf(named(s, 'MetricPoint')).find((f) => f['name'] === 'step')!['type'] = 'int';
      });
      expect(checkCatalogue(catalogue, samples())).toContainEqual(expect.objectContaining({ writer: L, reader: N }));
    });

    test('that adds an enum symbol without an enum default, then the check fails (old readers cannot resolve it)', () => {
      const catalogue = withNextVersion((s) => {
        (named(s, 'RunStatus')['symbols'] as string[]).push('CANCELLED');
      });
      expect(checkCatalogue(catalogue, samples())).toContainEqual(expect.objectContaining({ writer: N, reader: L }));
    });

    test('that adds an event type, then old readers still read every known type and refuse only the new one', () => {
      const catalogue = withNextVersion((s) => {
        const payload = fieldsOf(s).find((f) => f['name'] === 'payload')!;
        (payload['type'] as unknown[]).push({ type: 'record', name: 'RunArchived', fields: [{ name: 'reason', type: 'string' }] });
      });
      const archived = { ...samples()[8]!, event_id: '00000000-0000-4000-8000-0000000000aa', type: 'run_archived', payload: { reason: 'old' } };
      expect(checkCatalogue(catalogue, [...samples(), archived as unknown as StoredEvent])).toEqual([]);
      const record = createEventCodec(catalogue, { writerVersion: N }).encode(archived as unknown as StoredEvent);
      expect(() => createEventCodec(catalogue, { readerVersion: L }).decode(record)).toThrow(EventDecodeError);
      expect(() => createEventCodec(catalogue, { readerVersion: L }).decode(record)).toThrow(new RegExp(`RunArchived is unknown to schema version ${L}`));
    });
  });
});
