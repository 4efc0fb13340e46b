import { describeProjectionSinkContract } from '@trackstream/projection';
import { createTestClickHouseDatabase } from '@trackstream/testkit';
import { ClickHouseSink } from './sink';
import { TABLES } from './schema';
import { qualified, sql } from './sql';

// The shared ProjectionSink contract, run against ClickHouse 18.16 (the local stack) in a database per subject.
describeProjectionSinkContract('clickhouse', async () => {
  const ch = await createTestClickHouseDatabase('ch_contract');
  const sink = new ClickHouseSink({ url: ch.url, database: ch.database });
  const rows = async (query: string) => (await ch.client.query({ query, format: 'JSONEachRow' })).json();
  return {
    sink,
    // What analysts and the query API read. Log coordinates (partition, offset) are left out: a producer retry
    // moves every later event to another offset without changing what the projection says.
    snapshot: async () => ({
      events: await rows(
        sql`SELECT event_id, type, project, experiment_id, run_id, occurred_at, received_at, principal, payload
            FROM ${qualified(ch.database, TABLES.events)} FINAL ORDER BY event_id`.text,
      ),
      points: await rows(
        sql`SELECT project, experiment_id, run_id, key, step, timestamp, toString(value) AS value, event_id, point_index
            FROM ${qualified(ch.database, TABLES.metricPoints)} FINAL ORDER BY project, run_id, key, step, event_id, point_index`.text,
      ),
      summaries: await rows(
        sql`SELECT project, run_id, key, experiment_id, count, nan_count, toString(min) AS min, toString(max) AS max,
                   toString(mean) AS mean, first_step, last_step, toString(last_value) AS last_value, last_timestamp
            FROM ${qualified(ch.database, TABLES.runMetricSummaries)} ORDER BY project, run_id, key`.text,
      ),
    }),
    cleanup: async () => {
      await sink.close();
      await ch.cleanup();
    },
  };
});
