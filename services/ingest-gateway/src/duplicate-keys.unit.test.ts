import { findConflictingKeys } from './duplicate-keys';

describe('findConflictingKeys', () => {
  it('given a params map with one key twice and different values, when scanned, then the problem names event index and path', () => {
    const text = '{"events":[{"type":"x"},{"payload":{"params":{"lr":"0.1","bs":"32","lr":"0.2"}}}]}';
    expect(findConflictingKeys(text)).toEqual([
      { index: 1, path: 'events[1].payload.params.lr', message: expect.stringContaining('"lr" appears more than once') },
    ]);
  });

  it('given a repeated key with an identical value, when scanned, then it passes', () => {
    expect(findConflictingKeys('{"events":[{"payload":{"tags":{"a":"1","a":"1"}}}]}')).toEqual([]);
  });

  it('given keys that are equal only after unescaping, when scanned, then they are caught', () => {
    const problems = findConflictingKeys('{"events":[{"payload":{"params":{"lr":"1","l\\u0072":"2"}}}]}');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('events[0].payload.params.lr');
  });

  it('given strings holding quotes, brackets and escaped backslashes, when scanned, then they are skipped correctly', () => {
    const text = '{"a":"x\\"}{[","b":"\\\\","c":[1,{"d":"]"}],"a":"x\\"}{["}';
    expect(findConflictingKeys(text)).toEqual([]);
    expect(findConflictingKeys('{"a":"\\\\","a":"y"}')).toEqual([{ index: null, path: 'a', message: expect.any(String) }]);
  });

  it('given a key that is not an identifier, when reported, then the path quotes it', () => {
    const problems = findConflictingKeys(' { "events" : [ { "payload" : { "params" : { "a.b" : "1" , "a.b" : "2" } } } ] } ');
    expect(problems[0]!.path).toBe('events[0].payload.params["a.b"]');
  });

  it('given duplicates at batch level and numbers, when scanned, then index is null', () => {
    expect(findConflictingKeys('{"events":[],"events":[1]}')).toEqual([{ index: null, path: 'events', message: expect.any(String) }]);
    expect(findConflictingKeys('{"n":1.5e3,"m":-0,"n":1500}')).toHaveLength(1);
  });

  it('given hostile nesting, when scanned, then it neither overflows the stack nor loops', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(findConflictingKeys(`{"events":${deep},"x":{"a":1,"a":2}}`)).toHaveLength(1);
  });
});
