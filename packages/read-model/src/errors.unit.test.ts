import { SearchError } from '@trackstream/search';
import { StoreUnavailableError, toReadError } from './errors';

describe('toReadError', () => {
  const withCode = (code: string) => Object.assign(new Error(`failed ${code}`), { code });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006'])('reports %s as an unavailable store (retriable)', (code) => {
    const e = toReadError(withCode(code));
    expect(e).toBeInstanceOf(StoreUnavailableError);
    expect([(e as StoreUnavailableError).code, (e as StoreUnavailableError).retriable]).toEqual(['STORE_UNAVAILABLE', true]);
  });

  it('passes everything else through as it is (a bug stays a bug, a refusal stays a refusal)', () => {
    const syntax = withCode('42601');
    expect(toReadError(syntax)).toBe(syntax);
    const search = new SearchError('FILTER_INVALID', 'bad');
    expect(toReadError(search)).toBe(search);
    const plain = new TypeError('x is undefined');
    expect(toReadError(plain)).toBe(plain);
  });
});
