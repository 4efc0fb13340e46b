import { canonicalForm, parseAvroType } from './catalogue';
import { crc64Avro } from './crc64';

// Vectors from the Avro specification's test data (share/test/data/schema-tests.txt): schema, canonical form,
// fingerprint as a signed 64-bit integer.
const VECTORS: [unknown, string, bigint][] = [
  ['null', '"null"', 7195948357588979594n],
  ['long', '"long"', -3434872931120570953n],
  ['string', '"string"', -8142146995180207161n],
  [{ fields: [], type: 'record', name: 'foo', namespace: 'x.y' }, '{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771n],
  [
    { fields: [{ type: 'boolean', aliases: [], name: 'f1', default: true }, { order: 'descending', name: 'f2', doc: 'Hello', type: 'int' }], type: 'record', name: 'foo' },
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    -4860222112080293046n,
  ],
  [{ namespace: 'x.y.z', type: 'enum', name: 'foo', doc: 'foo bar', symbols: ['A1', 'A2'] }, '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', -4448647247586288245n],
  [{ items: { type: 'null' }, type: 'array' }, '{"type":"array","items":"null"}', -589620603366471059n],
  [{ values: 'string', type: 'map' }, '{"type":"map","values":"string"}', -8732877298790414990n],
];

describe('CRC-64-AVRO over the Parsing Canonical Form', () => {
  test.each(VECTORS.map(([s, c, f]) => [c, s, f] as const))('given the schema whose canonical form is %s, then the form and fingerprint match the spec', (canonical, schema, fingerprint) => {
    const type = parseAvroType(schema as never);
    expect(canonicalForm(type)).toBe(canonical);
    expect(crc64Avro(canonical).readBigInt64LE()).toBe(fingerprint);
  });

  test('given trackstream attributes, docs and defaults, then the fingerprint ignores them', () => {
    const plain = parseAvroType({ type: 'record', name: 'a.R', fields: [{ name: 'k', type: 'string' }] } as never);
    const annotated = parseAvroType({ type: 'record', name: 'a.R', doc: 'd', fields: [{ name: 'k', type: { type: 'string', 'trackstream.maxLength': 'keyLength' }, default: 'x' }] } as never);
    expect(canonicalForm(annotated)).toBe(canonicalForm(plain));
  });
});
