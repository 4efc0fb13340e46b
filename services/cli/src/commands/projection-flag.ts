import { usageError } from '../errors';

export type Projection = 'postgres' | 'clickhouse';

export function projectionFlag(v: string | undefined, allowAll: boolean): Projection[] {
  if (v === 'postgres' || v === 'clickhouse') return [v];
  if (allowAll && v === 'all') return ['postgres', 'clickhouse'];
  throw usageError(`--projection must be postgres, clickhouse${allowAll ? ' or all' : ''}${v === undefined ? '' : ` (got ${JSON.stringify(v)})`}`);
}

