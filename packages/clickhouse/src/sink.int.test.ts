import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import type { StoredEvent } from '@trackstream/events';
import { ProjectionError, type ProjectionBatch } from '@trackstream/projection-core';
import { createTestClickHouseDatabase, type TestClickHouseDatabase } from '@trackstream/testkit';
import { EVENT_TYPES } from '@trackstream/events';
import { ClickHouseSink } from './sink';
import { runMetricSummariesQuery, checkpointsQuery } from './queries';
import { TABLES } from './schema';
import { identifier, qualified, sql } from './sql';
import { asRecords, everyEventType, metrics } from './testing/fixtures';

const TOPIC = 'trackstream.events.v1';

function batch(events: readonly StoredEvent[], first: number, partition = 0): ProjectionBatch {
  return { topic: TOPIC, partition, records: asRecords(events, first), nextOffset: String(first + events.length) };
}

/** A sweep's worth of events: every type for each run, and metrics with several keys, steps and non-finite values. */
function sweep(runs: number, steps: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (let r = 0; r < runs; r++) {
    const run = `run-${r}`;
    const [created, started, ...rest] = everyEventType(run);
    out.push(created!, started!);
    for (let s = 0; s < steps; s += 10) {
      const pts = [];
      for (let k = s; k < Math.min(s + 10, steps); k++) {
        pts.push({ key: 'loss', value: 1 / (k + 1 + r), step: k, timestamp: 1_763_900_000_000 + k });
        pts.push({ key: 'val_acc', value: k === 3 ? NaN : k / steps + r / 100, step: k, timestamp: 1_763_900_000_000 + k });
      }
      out.push(metrics(run, 1_763_900_000_000 + s, pts));
    }
    out.push(...rest);
  }
  return out;
}

describe('ClickHouseSink against ClickHouse', () => {
  let ch: TestClickHouseDatabase;
  let sink: ClickHouseSink;

  beforeEach(async () => {
    ch = await createTestClickHouseDatabase('ch_sink');
    sink = new ClickHouseSink({ url: ch.url, database: ch.database });
    await sink.setup();
  });
  afterEach(async () => {
    await sink.close();
    await ch.cleanup();
  });

  async function rows<T = Record<string, unknown>>(query: string): Promise<T[]> {
    // 64-bit integers as strings whatever the server version (18.16 quotes them by default, current ones do not).
    const rs = await ch.client.query({ query, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 1 } });
    return rs.json<T>();
  }

  /** Every result an analyst or the query API could see, as one comparable value. */
  async function snapshot(database = ch.database): Promise<unknown> {
    const points = qualified(database, TABLES.metricPoints);
    const events = qualified(database, TABLES.events);
    return {
      totals: await rows(sql`SELECT count() AS n, sumIf(value, isFinite(value)) AS s, countIf(isNaN(value)) AS nans FROM ${points} FINAL`.text),
      points: await rows(sql`SELECT run_id, key, step, timestamp, toString(value) AS v, event_id, point_index FROM ${points} FINAL ORDER BY run_id, key, step, event_id, point_index`.text),
      perType: await rows(sql`SELECT type, count() AS n FROM ${events} FINAL GROUP BY type ORDER BY type`.text),
      events: await rows(sql`SELECT event_id, type, run_id, payload, partition, offset FROM ${events} FINAL ORDER BY event_id`.text),
      summaries: await rows(sql`SELECT run_id, key, count, nan_count, toString(min) AS min, toString(max) AS max, toString(mean) AS mean, last_step, toString(last_value) AS last FROM ${qualified(database, TABLES.runMetricSummaries)} ORDER BY run_id, key`.text),
      checkpoints: await rows(checkpointsQuery(database, TOPIC).text),
    };
  }

  it('setup is idempotent', async () => {
    await sink.setup();
    const tables = await rows<{ name: string }>(sql`SELECT name FROM system.tables WHERE database = ${ch.database} ORDER BY name`.text);
    expect(tables.map((t) => t.name)).toEqual(['checkpoints', 'events', 'metric_points', 'run_metric_summaries']);
  });

  it('creates the database the URL names and keeps to it', async () => {
    const name = `${ch.database}_from_url`;
    const fromUrl = new ClickHouseSink({ url: ch.url.replace(ch.database, name) });
    try {
      expect(fromUrl.database).toBe(name);
      await fromUrl.setup();
      await fromUrl.apply(batch(everyEventType('r'), 0));
      const got = await rows<{ n: string }>(sql`SELECT count() AS n FROM ${qualified(name, TABLES.events)} FINAL`.text);
      expect(got).toEqual([{ n: String(everyEventType().length) }]);
    } finally {
      await fromUrl.close();
      await ch.client.command({ query: sql`DROP DATABASE IF EXISTS ${identifier(name)}`.text });
    }
  });

  it('lands every event type in raw events, with its payload in the contract JSON form', async () => {
    const events = everyEventType('run-1');
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    await sink.apply(batch(events, 40, 2));

    const got = await rows<{ event_id: string; type: string; run_id: string | null; occurred_at: string; received_at: string; principal: string; payload: string; partition: number; offset: string }>(
      sql`SELECT * FROM ${qualified(ch.database, TABLES.events)} FINAL ORDER BY offset`.text,
    );
    expect(got.map((r) => r.type)).toEqual(events.map((e) => e.type));
    got.forEach((r, i) => {
      const e = events[i]!;
      expect(r).toMatchObject({ event_id: e.event_id, run_id: e.run_id, principal: e.principal, partition: 2, offset: String(40 + i) });
      expect([Number(r.occurred_at), Number(r.received_at)]).toEqual([e.occurred_at, e.received_at]);
    });
    expect(JSON.parse(got[0]!.payload).name).toBe("it's \\ \u0000 ünï 🚀");
    const points = JSON.parse(got.find((r) => r.type === 'metrics_logged')!.payload).points;
    expect(points.map((p: { value: unknown }) => p.value)).toEqual([0.9, 'NaN', 0.5, 'Infinity', '-Infinity', 0, 0.75]);
    expect(await sink.loadCheckpoints(TOPIC)).toEqual(new Map([[2, String(40 + events.length)]]));
  });

  it('stores NaN, ±Infinity, -0 and random doubles bit for bit', async () => {
    const special = [NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 1.3556530576914529e-306, 2.2250738585072014e-308, 1e-310, 0.1];
    const random: number[] = [];
    const buf = randomBytes(8 * 2000);
    for (let i = 0; i < 2000; i++) {
      const d = buf.readDoubleLE(8 * i);
      // Random bits: every exponent, every mantissa, subnormals; NaN payloads are not kept (NaN is NaN).
      if (!Number.isNaN(d)) random.push(d);
    }
    const values = [...special, ...random];
    const events = [];
    for (let i = 0; i < values.length; i += 1000) {
      events.push(metrics('run-bits', 1, values.slice(i, i + 1000).map((value, j) => ({ key: 'x', value, step: i + j }))));
    }
    await sink.apply(batch(events, 0));

    const got = await rows<{ step: string; bits: string }>(
      sql`SELECT step, hex(reinterpretAsString(value)) AS bits, isNaN(value) AS nan FROM ${qualified(ch.database, TABLES.metricPoints)} FINAL ORDER BY step`.text,
    );
    expect(got).toHaveLength(values.length);
    const mismatches = got.flatMap((r, i) => {
      const d = values[i]!;
      const expected = Buffer.alloc(8);
      expected.writeDoubleLE(d);
      const ok = Number.isNaN(d) ? (r as unknown as { nan: number }).nan === 1 : r.bits.padEnd(16, '0') === expected.toString('hex').toUpperCase();
      return ok ? [] : [`${d}: stored ${r.bits}`];
    });
    expect(mismatches).toEqual([]);
  });

  it('a batch applied twice yields identical query results', async () => {
    const events = sweep(3, 40);
    await sink.apply(batch(events, 0));
    const once = await snapshot();
    await sink.apply(batch(events, 0));
    expect(await snapshot()).toEqual(once);

    const totals = (once as { totals: { n: string }[] }).totals[0]!;
    expect(Number(totals.n)).toBe(3 * (40 * 2 + 7));
  });

  it('a batch larger than one insert is sent in chunks and lands whole', async () => {
    const events = sweep(2, 30);
    const small = new ClickHouseSink({ url: ch.url, database: ch.database, maxRowsPerInsert: 7 });
    try {
      await small.apply(batch(events, 0));
    } finally {
      await small.close();
    }
    const totals = (await snapshot()) as { totals: { n: string }[]; perType: { n: string }[] };
    expect(Number(totals.totals[0]!.n)).toBe(2 * (30 * 2 + 7));
    expect(totals.perType.reduce((a, r) => a + Number(r.n), 0)).toBe(events.length);
  });

  it('overlapping and out-of-date batches yield the results of one clean pass', async () => {
    const events = sweep(4, 30);
    const n = events.length;
    const reference = await createTestClickHouseDatabase('ch_sink_ref');
    const clean = new ClickHouseSink({ url: reference.url, database: reference.database });
    try {
      await clean.setup();
      await clean.apply(batch(events, 0));
      const expected = JSON.stringify(await snapshot(reference.database)).split(reference.database).join('DB');

      const third = Math.floor(n / 3);
      await sink.apply(batch(events.slice(0, 2 * third), 0));
      await sink.apply(batch(events.slice(third), third)); // overlaps the first
      await sink.apply(batch(events.slice(0, third), 0)); // a late, older batch: checkpoint must not move back
      expect(JSON.stringify(await snapshot()).split(ch.database).join('DB')).toBe(expected);
      expect(await sink.loadCheckpoints(TOPIC)).toEqual(new Map([[0, String(n)]]));
    } finally {
      await clean.close();
      await reference.cleanup();
    }
  });

  it('a producer retry (same event at a later offset, even applied first) keeps the first delivery', async () => {
    const e = metrics('r', 1, [{ key: 'k', value: 2, step: 1 }]);
    await sink.apply(batch([e], 50));
    await sink.apply(batch([e], 7));
    const events = await rows(sql`SELECT event_id, offset FROM ${qualified(ch.database, TABLES.events)} FINAL`.text);
    const points = await rows(sql`SELECT event_id, offset, value FROM ${qualified(ch.database, TABLES.metricPoints)} FINAL`.text);
    expect(events).toEqual([{ event_id: e.event_id, offset: '7' }]);
    expect(points).toEqual([{ event_id: e.event_id, offset: '7', value: 2 }]);
  });

  it('per-run summaries follow the points: count, NaN-free min/max/mean and the last value by step', async () => {
    await sink.apply(batch([
      metrics('r', 1, [{ key: 'k', value: 3, step: 2, timestamp: 10 }, { key: 'k', value: NaN, step: 5, timestamp: 10 }]),
      metrics('r', 2, [{ key: 'k', value: 1, step: 5, timestamp: 11 }, { key: 'k', value: 7, step: 1, timestamp: 99 }]),
      metrics('r', 3, [{ key: 'only_nan', value: NaN, step: 0 }]),
    ], 0));
    const got = await rows(runMetricSummariesQuery(ch.database, { project: 'vision', runIds: ['r'] }).text);
    expect(got.map((r) => ({ ...r, experiment_id: undefined, last_timestamp: undefined }))).toEqual([
      { project: 'vision', run_id: 'r', key: 'k', experiment_id: undefined, count: '4', nan_count: '1', min: 1, max: 7, mean: 11 / 3, first_step: '1', last_step: '5', last_value: 1, last_timestamp: undefined },
      { project: 'vision', run_id: 'r', key: 'only_nan', experiment_id: undefined, count: '1', nan_count: '1', min: null, max: null, mean: null, first_step: '0', last_step: '0', last_value: null, last_timestamp: undefined },
    ]);
  });

  it('rejects a record ClickHouse cannot store as poison, naming its offset, and stores nothing of the batch', async () => {
    const bad = metrics('r', 1, [{ key: 'k', value: 1, step: 1e300 }]);
    const err = await sink.apply(batch([metrics('r', 1, [{ key: 'k', value: 1, step: 1 }]), bad], 10)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectionError);
    expect(err).toMatchObject({ code: 'CLICKHOUSE_RECORD_REJECTED', retriable: false, offset: '11' });
    expect(await sink.loadCheckpoints(TOPIC)).toEqual(new Map());
  });

  it.each([
    ['one insert', undefined, 101],
    ['inserts of 2 rows (the refused row is in a later chunk)', 2, 102],
  ])('maps a row the server refuses to its record, after checking that record alone is refused (%s)', async (_label, maxRowsPerInsert, refused) => {
    // An events table whose type column holds at most 14 bytes ('metrics_logged') stands in for any server-side
    // refusal of one record's data; 'artifact_logged' is one byte too long.
    const db = await createTestClickHouseDatabase('ch_sink_narrow');
    const narrow = new ClickHouseSink({ url: db.url, database: db.database, ...(maxRowsPerInsert ? { maxRowsPerInsert } : {}) });
    try {
      await db.client.command({
        query: sql`CREATE TABLE ${qualified(db.database, TABLES.events)} (event_id String, type FixedString(14), project String, experiment_id String, run_id Nullable(String), occurred_at Int64, received_at UInt64, principal String, payload String, partition UInt32, offset UInt64) ENGINE = MergeTree() ORDER BY event_id`.text,
      });
      await narrow.setup();
      const artifact = everyEventType('r').find((e) => e.type === 'artifact_logged')!;
      const m = (step: number) => metrics('r', 1, [{ key: 'loss', value: 1, step }]);
      const events = refused === 101 ? [m(1), artifact, m(2)] : [m(1), m(2), artifact, m(3)];
      const err = await narrow.apply(batch(events, 100)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CLICKHOUSE_RECORD_REJECTED', retriable: false, offset: String(refused) });
      expect(await narrow.loadCheckpoints(TOPIC)).toEqual(new Map());
    } finally {
      await narrow.close();
      await db.cleanup();
    }
  });

  it('refuses to start against a metric_points table whose columns are not the ones it writes, naming them', async () => {
    // Points travel as RowBinary, which carries no types: a FixedString(4) key would not be refused, it would be
    // misread. setup() is where the sink finds out.
    const db = await createTestClickHouseDatabase('ch_sink_mismatch');
    const sinkOn = new ClickHouseSink({ url: db.url, database: db.database });
    try {
      await db.client.command({
        query: sql`CREATE TABLE ${qualified(db.database, TABLES.metricPoints)} (project String, experiment_id String, run_id String, key FixedString(4), step Int64, timestamp Int64, value Float64, event_id String, point_index UInt32, offset UInt64) ENGINE = MergeTree() ORDER BY step`.text,
      });
      const err = await sinkOn.setup().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProjectionError);
      expect(err).toMatchObject({ code: 'CLICKHOUSE_SCHEMA_MISMATCH', retriable: false });
      expect((err as Error).message).toContain('column key is FixedString(4), the sink writes String');
      expect((err as Error).message).toContain('column value_bits is missing');
    } finally {
      await sinkOn.close();
      await db.cleanup();
    }
  });

  it('treats a table changed under a running sink as a retriable schema problem, never as poison records', async () => {
    const db = await createTestClickHouseDatabase('ch_sink_schema');
    const old = new ClickHouseSink({ url: db.url, database: db.database });
    try {
      await old.setup();
      await db.client.command({ query: sql`DROP TABLE ${qualified(db.database, TABLES.metricPoints)}`.text });
      await db.client.command({
        query: sql`CREATE TABLE ${qualified(db.database, TABLES.metricPoints)} (project String, experiment_id String, run_id String, key String, step Int64, timestamp Int64, value Float64, event_id String, point_index UInt32, offset UInt64) ENGINE = MergeTree() ORDER BY step`.text,
      });
      const err = await old.apply(batch([metrics('r', 1, [{ key: 'loss', value: 1, step: 1 }])], 0)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CLICKHOUSE_FAILED', retriable: true });
    } finally {
      await old.close();
      await db.cleanup();
    }
  });

  it('classifies a refused connection as retriable', async () => {
    const down = new ClickHouseSink({ url: 'http://127.0.0.1:1', database: ch.database });
    try {
      for (const attempt of [() => down.apply(batch(everyEventType('r'), 0)), () => down.loadCheckpoints(TOPIC), () => down.setup()]) {
        const err = await attempt().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProjectionError);
        expect(err).toMatchObject({ code: 'CLICKHOUSE_UNAVAILABLE', retriable: true });
      }
    } finally {
      await down.close();
    }
  });

  it('classifies a server that never answers (request timeout) as retriable', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const stuck = new ClickHouseSink({ url: `http://127.0.0.1:${port}`, database: ch.database, requestTimeoutMs: 300 });
    try {
      const err = await stuck.apply(batch(everyEventType('r'), 0)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProjectionError);
      expect(err).toMatchObject({ code: 'CLICKHOUSE_UNAVAILABLE', retriable: true });
    } finally {
      await stuck.close();
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
