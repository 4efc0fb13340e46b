import { checkKey } from './rules';
import { MlflowError } from './errors';
import { asMessage, keyValues, optDouble, optEnum, optInt, reqString, stringList } from './proto';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof MlflowError) return `${e.code} ${e.status}`;
    throw e;
  }
  return 'ok';
};

describe('MLflow key rule', () => {
  it.each(['loss', 'val/acc', 'a.b-c_d e:f', 'ünïcode', 'x'.repeat(250)])('given %s, then it is accepted', (k) => {
    expect(codeOf(() => checkKey(k, 'key'))).toBe('ok');
  });
  it.each(['', 'a!b', '../up', '/abs', 'a//b', './a', 'a/./b', 'a/', 'semi;colon', 'x'.repeat(251)])('given %j, then INVALID_PARAMETER_VALUE 400', (k) => {
    expect(codeOf(() => checkKey(k, 'key'))).toBe('INVALID_PARAMETER_VALUE 400');
  });
});

describe('MLflow request fields', () => {
  it('given proto3 JSON int64 strings and numbers, then both read as integers; other types are refused by name', () => {
    expect(optInt({ t: '1763900000000' }, 't')).toBe(1763900000000);
    expect(optInt({ t: 5 }, 't')).toBe(5);
    expect(codeOf(() => optInt({ t: 1.5 }, 't'))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(codeOf(() => optInt({ t: 'abc' }, 't'))).toBe('INVALID_PARAMETER_VALUE 400');
  });
  it('given NaN and infinities as MLflow writes them, then they survive', () => {
    expect(optDouble({ v: 'NaN' }, 'v')).toBeNaN();
    expect(optDouble({ v: 'Infinity' }, 'v')).toBe(Infinity);
    expect(optDouble({ v: '-Infinity' }, 'v')).toBe(-Infinity);
    expect(codeOf(() => optDouble({ v: 'nope' }, 'v'))).toBe('INVALID_PARAMETER_VALUE 400');
  });
  it('given enums by name or number, then they read; an unknown symbol is refused', () => {
    expect(optEnum({ s: 'ALL' }, 's', ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const)).toBe('ALL');
    expect(optEnum({ s: 2 }, 's', ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const, { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' })).toBe('DELETED_ONLY');
    expect(codeOf(() => optEnum({ s: 'SOME' }, 's', ['ALL'] as const))).toBe('INVALID_PARAMETER_VALUE 400');
  });
  it('given wrong shapes, then each is INVALID_PARAMETER_VALUE naming the field', () => {
    expect(codeOf(() => asMessage([]))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(codeOf(() => reqString({}, 'run_id'))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(codeOf(() => stringList({ ids: [1] }, 'ids'))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(codeOf(() => keyValues({ tags: [{ value: 'v' }] }, 'tags'))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(keyValues({ tags: [{ key: 'k' }] }, 'tags')).toEqual([{ key: 'k', value: '' }]);
    expect(reqString({ run_uuid: 'r1' }, 'run_id', 'run_uuid')).toBe('r1');
    expect(stringList({ run_ids: 'a' }, 'run_ids')).toEqual(['a']);
  });
});
