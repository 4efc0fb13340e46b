import { ClickHouseSink } from '@trackstream/clickhouse';
import type { StoredEvent } from '@trackstream/events';
import { PostgresSink } from '@trackstream/postgres';
import { batchOf } from '@trackstream/projection-core/testing';

/**
 * Test support (not exported by the package): writes `events` into a test's Postgres schema and ClickHouse database
 * through the real sinks, as if the projectors had read them at offsets `firstOffset`.. (default 0..) of partition 0
 * of `topic` (a later seeding moves the checkpoints on, as the projectors applying more would).
 */
export async function seedProjections(opts: { pgUrl: string; pgSchema: string; clickhouseUrl: string; topic: string; events: StoredEvent[]; firstOffset?: number }): Promise<void> {
  const pgSink = new PostgresSink({ connectionString: opts.pgUrl, schema: opts.pgSchema });
  const chSink = new ClickHouseSink({ url: opts.clickhouseUrl });
  try {
    await pgSink.setup();
    await chSink.setup();
    await pgSink.apply(batchOf(opts.topic, 0, opts.events, opts.firstOffset ?? 0));
    await chSink.apply(batchOf(opts.topic, 0, opts.events, opts.firstOffset ?? 0));
  } finally {
    await pgSink.close();
    await chSink.close();
  }
}
