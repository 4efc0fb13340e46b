import { describeProjectionSinkContract } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase } from '@trackstream/testkit';
import { ClickHouseSink } from './sink';
import { readProjection } from './snapshot';

// The shared ProjectionSink contract, run against ClickHouse 18.16 (the local stack) in a database per subject.
describeProjectionSinkContract('clickhouse', async () => {
  const ch = await createTestClickHouseDatabase('ch_contract');
  const sink = new ClickHouseSink({ url: ch.url, database: ch.database });
  return {
    sink,
    snapshot: () => readProjection(ch.client, ch.database),
    cleanup: async () => {
      await sink.close();
      await ch.cleanup();
    },
  };
});
