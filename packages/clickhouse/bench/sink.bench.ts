/**
 * Throughput of ClickHouseSink.apply() alone (no Kafka, no Avro): how many metric points per second the
 * ClickHouse side of the projector can take. One run, a few seconds; not part of the test suites.
 *
 *   TRACKSTREAM_STACK_DIR=/work/main/.stack npx jest --testMatch '**\/packages/clickhouse/bench/*.bench.ts' packages/clickhouse/bench
 *
 * Knobs: BENCH_EVENTS (metrics events, default 400), BENCH_POINTS (points per event, default 1000),
 * BENCH_BATCH (events per apply, default 50).
 */
import { batchOf } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase } from '@trackstream/testkit';
import { toRows } from '../src/rows';
import { ClickHouseSink } from '../src/sink';
import { asRecords, metrics } from '../src/testing/fixtures';

jest.setTimeout(600_000);

it('ClickHouseSink.apply throughput', async () => {
  const nEvents = Number(process.env.BENCH_EVENTS ?? 400);
  const nPoints = Number(process.env.BENCH_POINTS ?? 1000);
  const perBatch = Number(process.env.BENCH_BATCH ?? 50);
  const events = Array.from({ length: nEvents }, (_, r) =>
    metrics(`run-${r % 200}`, 1_763_900_000_000 + r, Array.from({ length: nPoints }, (_, i) => ({ key: ['loss', 'acc', 'lr', 'val_loss'][i % 4]!, value: Math.random(), step: r * nPoints + i }))),
  );
  const ch = await createTestClickHouseDatabase('bench_ch_sink');
  const sink = new ClickHouseSink({ url: ch.url, database: ch.database });
  try {
    await sink.setup();
    let t = process.hrtime.bigint();
    toRows(asRecords(events), 0);
    const pureMs = Number(process.hrtime.bigint() - t) / 1e6;

    t = process.hrtime.bigint();
    for (let i = 0; i < events.length; i += perBatch) await sink.apply(batchOf('bench', 0, events.slice(i, i + perBatch), i));
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    const points = nEvents * nPoints;
    process.stdout.write(
      `ClickHouseSink: ${points} points in ${nEvents} events, ${perBatch} events per apply: ${ms.toFixed(0)} ms = ` +
        `${Math.round((points / ms) * 1000)} points/s (${Math.round((nEvents / ms) * 1000)} events/s); toRows alone ${pureMs.toFixed(0)} ms\n`,
    );
  } finally {
    await sink.close();
    await ch.cleanup();
  }
});
