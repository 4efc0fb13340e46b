import { resolveSchema, type AvroSchema } from './avro-schema';
import { recordSchema } from './derive-zod';

const derive = (fieldType: unknown) =>
  recordSchema(resolveSchema({ type: 'record', name: 't.R', fields: [{ name: 'f', type: fieldType }] } as AvroSchema) as never);

describe('deriving validators from a schema', () => {
  test('given a misspelt trackstream attribute, when the schema is resolved, then it is refused', () => {
    expect(() => derive({ type: 'string', 'trackstream.maxLenght': 'keyLength' })).toThrow(/unknown schema attribute trackstream.maxLenght/);
  });

  test('given a limit name that LIMITS does not have, when validators are derived, then it is refused', () => {
    expect(() => derive({ type: 'string', 'trackstream.maxLength': 'keyLen' })).toThrow(/unknown limit "keyLen"/);
  });

  test('given an unknown format, when validators are derived, then it is refused', () => {
    expect(() => derive({ type: 'string', 'trackstream.format': 'email' })).toThrow(/unknown trackstream.format email/);
  });

  test('given a union other than ["null", T], when validators are derived, then it is refused', () => {
    expect(() => derive(['string', 'long'])).toThrow(/only \["null", T\] unions/);
  });

  test('given a bytes field, when validators are derived, then it is refused (no JSON form is defined for it)', () => {
    expect(() => derive('bytes')).toThrow(/no JSON validation for Avro bytes/);
  });

  test('given an int field, when values are validated, then they must fit 32 bits', () => {
    const schema = derive('int');
    expect(schema.safeParse({ f: 2 ** 31 - 1 }).success).toBe(true);
    expect(schema.safeParse({ f: 2 ** 31 }).success).toBe(false);
  });
});
