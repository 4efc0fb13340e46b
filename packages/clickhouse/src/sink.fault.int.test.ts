import { createClient } from '@clickhouse/client';
import type { StoredEvent } from '@trackstream/events';
import { ProjectionError } from '@trackstream/projection-core';
import { batchOf } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase, startDedicatedServers, type DedicatedServers } from '@trackstream/testkit';
import { ClickHouseSink, splitDatabase } from './sink';
import { readProjection } from './snapshot';
import { asRecords, everyEventType } from './testing/fixtures';

jest.setTimeout(180_000);

// A private ClickHouse (the shared one stays up for everyone else) is stopped between two batches: the sink
// reports the outage as retriable, and once the server is back the retried batch lands exactly once.
describe('ClickHouseSink while its server is down', () => {
  let servers: DedicatedServers;
  beforeAll(async () => {
    servers = await startDedicatedServers(['clickhouse']);
  });
  afterAll(async () => {
    await servers?.cleanup();
  });

  it('fails retriably while the server is stopped, then the retried batch applies once', async () => {
    const sink = new ClickHouseSink({ url: servers.env.TRACKSTREAM_CLICKHOUSE_URL!, database: 'fault_test', requestTimeoutMs: 5_000 });
    const first: StoredEvent[] = everyEventType('run-1');
    const second: StoredEvent[] = everyEventType('run-2');
    const batchB = { topic: 't', partition: 0, records: asRecords(second, first.length), nextOffset: String(first.length + second.length) };
    try {
      await sink.setup();
      await sink.apply({ topic: 't', partition: 0, records: asRecords(first, 0), nextOffset: String(first.length) });

      await servers.stop('clickhouse');
      for (const attempt of [() => sink.apply(batchB), () => sink.loadCheckpoints('t')]) {
        const err = await attempt().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProjectionError);
        expect(err).toMatchObject({ code: 'CLICKHOUSE_UNAVAILABLE', retriable: true });
      }

      await servers.start('clickhouse');
      await sink.apply(batchB);
      await sink.apply(batchB); // and a redelivery, for good measure
      expect(await sink.loadCheckpoints('t')).toEqual(new Map([[0, batchB.nextOffset]]));

      const ref = await createTestClickHouseDatabase('ch_fault_ref');
      try {
        const refSink = new ClickHouseSink({ url: ref.url, database: ref.database });
        await refSink.setup();
        await refSink.apply(batchOf('t', 0, [...first, ...second]));
        await refSink.close();
        const client = createClient({ url: splitDatabase(servers.env.TRACKSTREAM_CLICKHOUSE_URL!).serverUrl });
        try {
          expect(await readProjection(client, 'fault_test')).toEqual(await readProjection(ref.client, ref.database));
        } finally {
          await client.close();
        }
      } finally {
        await ref.cleanup();
      }
    } finally {
      await sink.close();
    }
  });
});
