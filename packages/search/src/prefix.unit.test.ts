import { INDEXED_VALUE_PREFIX as projectionPrefix } from '@trackstream/postgres';
import { INDEXED_VALUE_PREFIX } from './compile';

test('the search compiler uses the projection’s value-index prefix', () => {
  expect(INDEXED_VALUE_PREFIX).toBe(projectionPrefix);
});
