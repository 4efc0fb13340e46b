import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient } from '@trackstream/clickhouse';
import { ClickHouseReader } from './ch-reader';

/** A ClickHouse reader over the adapter's one client factory and URL split; the caller closes `client`. */
export function openClickHouseReader(opts: { url: string; database?: string; requestTimeoutMs?: number }): { reader: ClickHouseReader; client: ClickHouseClient } {
  const { client, database } = createClickHouseClient(opts);
  return { reader: new ClickHouseReader(client, database), client };
}
