import { findDuplicateKeys } from './index';

describe('findDuplicateKeys', () => {
  test('given JSON without repeated keys, when scanned, then nothing is found', () => {
    expect(findDuplicateKeys('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}')).toEqual([]);
    expect(findDuplicateKeys('[]')).toEqual([]);
    expect(findDuplicateKeys('"just a string"')).toEqual([]);
  });

  test('given a key repeated in one object, when scanned, then its path and whether the values agree are reported', () => {
    const raw = '{"events":[{"payload":{"params":{"lr":"0.1","x":1,"lr":"0.2"}}},{"type":"a","type":"a"}]}';
    expect(findDuplicateKeys(raw)).toEqual([
      { path: ['events', 0, 'payload', 'params', 'lr'], sameValue: false },
      { path: ['events', 1, 'type'], sameValue: true },
    ]);
  });

  test('given keys written with escapes, when scanned, then they are compared decoded', () => {
    expect(findDuplicateKeys('{"a":1,"\\u0061":2}')).toEqual([{ path: ['a'], sameValue: false }]);
    expect(findDuplicateKeys('{"a\\"b":1,"a\\"b":1}')).toEqual([{ path: ['a"b'], sameValue: true }]);
  });

  test('given equal values written differently, when scanned, then they count as the same value', () => {
    expect(findDuplicateKeys('{"v":1.0,"v":1, "o":{"x":[1,"a"],"y":null}, "o" : { "y":null,"x":[1,"\\u0061"] }}')).toEqual([
      { path: ['v'], sameValue: true },
      { path: ['o'], sameValue: true },
    ]);
  });

  test('given brackets, quotes and colons inside strings and whitespace everywhere, when scanned, then they do not confuse it', () => {
    const raw = ' { "k" : "}{][,:\\\\" , "m" : { "k" : "\\"}" } , "k" : "other" } ';
    expect(findDuplicateKeys(raw)).toEqual([{ path: ['k'], sameValue: false }]);
  });

  test('given nesting far deeper than any event, when scanned, then it neither overflows the stack nor loses its place', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(findDuplicateKeys(`{"a":${deep},"b":1,"a":2}`)).toEqual([{ path: ['a'], sameValue: false }]);
  });

  test('given a limit on conflicts, when more are present, then the scan stops there', () => {
    const raw = `{${Array.from({ length: 50 }, (_, i) => `"a":${i}`).join(',')}}`;
    expect(findDuplicateKeys(raw, 5)).toHaveLength(5);
    expect(findDuplicateKeys(raw)).toHaveLength(49);
  });
});
