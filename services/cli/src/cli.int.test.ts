import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import { ClickHouseSink } from '@trackstream/clickhouse';
import { encodeEvent, eventKey, type StoredEvent } from '@trackstream/events';
import { PostgresSink } from '@trackstream/postgres';
import { ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { type ProjectionSink } from '@trackstream/projection-core';
import { TestEvents } from '@trackstream/projection-core/testing';
import { noopLogger, createMetricsRegistry } from '@trackstream/telemetry';
import {
  createTestClickHouseDatabase, createTestPgSchema, createTestTopic, endpointsFromEnv, uniqueName, withDatabase,
  type TestClickHouseDatabase, type TestPgSchema, type TestTopic,
} from '@trackstream/testkit';
import { runCli } from './cli';
import { chTableSums } from './ch-store';
import { pgSchemaExists, pgTableSums, pgVerify } from './pg-store';

jest.setTimeout(120_000);

const CUTOFF = 1_763_950_000_000; // between workload A (received ~1_763_900_000_000) and B (~1_764_000_000_000)

describe('trackstream replay / verify / export / audit (real stack)', () => {
  const stack = endpointsFromEnv();
  let topic: TestTopic;
  let dlq: TestTopic;
  let pgLive: TestPgSchema;
  let chLive: TestClickHouseDatabase;
  let admin: Pool;
  let kafka: Kafka;
  let producer: Producer;
  const groupPrefix = `${uniqueName('grp')}-`;
  const pgSchemas: string[] = [];
  const chDatabases: string[] = [];
  let eventsA: StoredEvent[];
  let eventsB: StoredEvent[];

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      TRACKSTREAM_KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      TRACKSTREAM_PG_URL: stack.pgUrl,
      TRACKSTREAM_CLICKHOUSE_URL: withDatabase(stack.clickhouseUrl, chLive.database),
      TRACKSTREAM_PG_SCHEMA: pgLive.schema,
      TRACKSTREAM_EVENTS_TOPIC: topic.topic,
      TRACKSTREAM_DLQ_TOPIC: dlq.topic,
      TRACKSTREAM_PROJECTOR_GROUP_PREFIX: groupPrefix,
      TRACKSTREAM_LOG_LEVEL: 'error',
      // Local single-user mode: these tests are about replay/verify/export/audit; access control is tokens.int.test.ts.
      TRACKSTREAM_AUTH: 'off',
      ...extra,
    };
  }

  async function cli(args: string[], extra: Record<string, string> = {}, signal?: AbortSignal, onErr?: (s: string) => void) {
    const out: string[] = [];
    let err = '';
    const code = await runCli(args, env(extra), {
      out: (l) => out.push(l),
      err: { write: (s) => { err += s; onErr?.(s); } },
      signal,
    });
    return { code, out, err };
  }

  function target(prefix: string): string {
    const name = uniqueName(prefix).replace(/[^A-Za-z0-9_]/g, '_');
    pgSchemas.push(name);
    chDatabases.push(name);
    return name;
  }

  async function send(events: StoredEvent[]): Promise<void> {
    await producer.send({ topic: topic.topic, acks: -1, messages: events.map((e) => ({ key: eventKey(e), value: encodeEvent(e) })) });
  }

  async function projectLive(sink: ProjectionSink, projection: 'postgres' | 'clickhouse'): Promise<void> {
    const runtime = new ProjectionRuntime({
      brokers: stack.kafkaBrokers, topic: topic.topic, dlqTopic: dlq.topic, groupId: `${groupPrefix}${projection}`, sink,
      logger: noopLogger, metrics: new ProjectorMetrics(createMetricsRegistry(`t-${projection}`), projection), maxRecordsPerApply: 7,
    });
    await runtime.start();
    const a = kafka.admin();
    await a.connect();
    const ends = await a.fetchTopicOffsets(topic.topic);
    await a.disconnect();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const cps = await sink.loadCheckpoints(topic.topic);
      if (ends.every((e) => BigInt(cps.get(e.partition) ?? '0') >= BigInt(e.high))) break;
      if (Date.now() > deadline) throw new Error(`live ${projection} projection did not catch up`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await runtime.stop();
  }

  beforeAll(async () => {
    topic = await createTestTopic('replay', 3);
    dlq = await createTestTopic('replay-dlq', 1);
    pgLive = await createTestPgSchema('live');
    chLive = await createTestClickHouseDatabase('live');
    admin = new Pool({ connectionString: stack.pgUrl, max: 2 });
    kafka = new Kafka({ clientId: 'replay-test', brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();

    // Workload A: 10 runs with param conflicts, NaN/±inf metrics, tag deletes; then redeliveries (same event_id
    // again later in the log) and one undecodable record keyed by a run (the live projector sends it to the DLQ).
    eventsA = new TestEvents('proj', 1_763_900_000_000).sampleStream('exp-a', 10);
    await send(eventsA.slice(0, 60));
    await send(eventsA.slice(60));
    await send([eventsA[3]!, eventsA[20]!, eventsA[eventsA.length - 1]!]);
    await producer.send({ topic: topic.topic, messages: [{ key: 'exp-a-run-1', value: Buffer.from('not avro at all') }] });
    // Workload B, received after the cutoff.
    eventsB = new TestEvents('proj', 1_764_000_000_000).sampleStream('exp-b', 3);
    await send(eventsB);

    const pgSink = new PostgresSink({ connectionString: stack.pgUrl, schema: pgLive.schema });
    const chSink = new ClickHouseSink({ url: chLive.url, database: chLive.database });
    await projectLive(pgSink, 'postgres');
    await projectLive(chSink, 'clickhouse');
    await pgSink.close();
    await chSink.close();
  });

  afterAll(async () => {
    await producer?.disconnect();
    for (const s of pgSchemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
    const ch = chLive?.client;
    for (const d of chDatabases) await ch?.command({ query: `DROP DATABASE IF EXISTS \`${d}\`` }).catch(() => undefined);
    await admin?.end();
    await pgLive?.cleanup();
    await chLive?.cleanup();
    await topic?.cleanup();
    await dlq?.cleanup();
  });

  it('a replay of both stores equals the live projection; verify reports no difference; batch size changes nothing', async () => {
    const t = target('rp_all');
    const r = await cli(['replay', '--projection', 'all', '--target', t]);
    expect(r.err).toMatch(/replay \[/);
    expect(r.out.join('\n')).toMatch(/replay done: target .*1 skipped/);
    expect(r.code).toBe(0);
    for (const p of ['postgres', 'clickhouse']) {
      const v = await cli(['verify', '--projection', p, '--a', p === 'postgres' ? pgLive.schema : chLive.database, '--b', t]);
      expect(v.out.join('\n')).toMatch(/no differences/);
      expect(v.code).toBe(0);
    }
    // Determinism: one record per store write gives the same checksums.
    const t1 = target('rp_b1');
    expect((await cli(['replay', '--projection', 'all', '--target', t1, '--batch-size', '1'])).code).toBe(0);
    expect(await pgTableSums(admin, t1)).toEqual(await pgTableSums(admin, t));
    expect(await chTableSums(chLive.client, t1)).toEqual(await chTableSums(chLive.client, t));
    const conflicts = await admin.query(`SELECT count(*)::int AS n FROM "${t}".param_conflicts`);
    expect(conflicts.rows[0].n).toBeGreaterThan(0);

    // verify detects a tampered row in either store
    await admin.query(`UPDATE "${t1}".params SET value = 'tampered' WHERE run_id = 'exp-a-run-2' AND key = 'lr'`);
    const vp = await cli(['verify', '--projection', 'postgres', '--a', pgLive.schema, '--b', t1]);
    expect(vp.code).toBe(1);
    expect(vp.out.join('\n')).toMatch(/params .*DIFFERENT/);
    expect(vp.out.join('\n')).toMatch(/params: only in .*tampered/);
    await chLive.client.command({
      query: `INSERT INTO \`${t1}\`.events (event_id, type, project, experiment_id, run_id, occurred_at, received_at, principal, payload, partition, offset) VALUES ('forged', 'tags_set', 'proj', 'exp-a', 'exp-a-run-2', 1, 1, 'mallory', '{}', 0, 99999)`,
    });
    const vc = await cli(['verify', '--projection', 'clickhouse', '--a', chLive.database, '--b', t1]);
    expect(vc.code).toBe(1);
    expect(vc.out.join('\n')).toMatch(/events: only in .*forged/);
  });

  it('an interrupted replay resumes with the same --target and ends equal', async () => {
    const t = target('rp_int');
    const ac = new AbortController();
    const first = await cli(['replay', '--projection', 'all', '--target', t, '--batch-size', '3'], {}, ac.signal, (s) => {
      if (s.includes('replay [')) ac.abort();
    });
    expect(first.code).toBe(130);
    expect(first.err).toMatch(new RegExp(`--target ${t} to resume`));
    const partial = await pgTableSums(admin, t);
    expect(partial).not.toEqual(await pgTableSums(admin, pgLive.schema));
    const second = await cli(['replay', '--projection', 'all', '--target', t]);
    expect(second.code).toBe(0);
    expect((await cli(['verify', '--projection', 'postgres', '--a', pgLive.schema, '--b', t])).code).toBe(0);
    expect((await cli(['verify', '--projection', 'clickhouse', '--a', chLive.database, '--b', t])).code).toBe(0);
  });

  it('the built command killed (SIGTERM, then SIGKILL) mid-replay resumes and ends equal', async () => {
    const bin = path.resolve(__dirname, '../dist/main.js'); // npx tsc -b first
    const total = eventsA.length + 4 + eventsB.length;
    const t = target('rp_kill');
    const runUntilProgress = (signal: NodeJS.Signals) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((resolve) => {
        const p = spawn(process.execPath, [bin, 'replay', '--projection', 'postgres', '--target', t, '--batch-size', '1'], { env: { ...process.env, ...env() } });
        let err = '';
        let sent = false;
        p.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (!sent && err.includes('replay [')) {
            sent = true;
            p.kill(signal);
          }
        });
        p.on('exit', (code, sig) => resolve({ code, signal: sig, err }));
      });
    const term = await runUntilProgress('SIGTERM');
    expect(term.code).toBe(130);
    expect(term.err).toMatch(/to resume/);
    const killed = await runUntilProgress('SIGKILL');
    expect(killed.signal === 'SIGKILL' || killed.code === 0).toBe(true);
    const resumed = await cli(['replay', '--projection', 'postgres', '--target', t]);
    expect(resumed.code).toBe(0);
    const read = Number(/(\d+) record\(s\) read/.exec(resumed.out.join('\n'))![1]);
    expect(read).toBeLessThan(total);
    expect((await cli(['verify', '--projection', 'postgres', '--a', pgLive.schema, '--b', t])).code).toBe(0);
  });

  it('a point-in-time replay shows the state as of the cutoff and nothing after', async () => {
    const t = target('rp_pit');
    const r = await cli(['replay', '--projection', 'all', '--target', t, '--until', new Date(CUTOFF).toISOString(), '--keep']);
    expect(r.code).toBe(0);
    // Reference: workload A alone (with its redeliveries) through the same sink.
    const ref = target('rp_ref');
    const sink = new PostgresSink({ connectionString: stack.pgUrl, schema: ref });
    await sink.setup();
    const a = [...eventsA, eventsA[3]!, eventsA[20]!, eventsA[eventsA.length - 1]!];
    await sink.apply({ topic: 'ref', partition: 0, records: a.map((event, i) => ({ offset: String(i), event })), nextOffset: String(a.length) });
    await sink.close();
    const v = await pgVerify(admin, ref, t);
    expect(v.differences).toEqual([]);
    const b = await admin.query(`SELECT count(*)::int AS n FROM "${t}".runs WHERE experiment_id = 'exp-b'`);
    expect(b.rows[0].n).toBe(0);
    const live = await admin.query(`SELECT count(*)::int AS n FROM "${pgLive.schema}".runs WHERE experiment_id = 'exp-b'`);
    expect(live.rows[0].n).toBe(3);
    // ClickHouse: exactly workload A's events (one row per event id) and none of B's.
    const rs = await chLive.client.query({
      query: `SELECT experiment_id, toString(count()) AS n FROM \`${t}\`.events FINAL GROUP BY experiment_id ORDER BY experiment_id`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ experiment_id: 'exp-a', n: String(eventsA.length) }]);
  });

  it('bad arguments give a clear message, a non-zero exit, and touch nothing', async () => {
    const before = await pgTableSums(admin, pgLive.schema);
    const chBefore = await chTableSums(chLive.client, chLive.database);
    const t = target('rp_bad');
    const future = await cli(['replay', '--projection', 'postgres', '--target', t, '--until', new Date(Date.now() + 3_600_000).toISOString()]);
    expect(future.code).toBe(2);
    expect(future.err).toMatch(/in the future/);
    const beyond = await cli(['replay', '--projection', 'postgres', '--target', t, '--until', '0:999999']);
    expect(beyond.code).toBe(2);
    expect(beyond.err).toMatch(/in the future/);
    const unreachable = await cli(['replay', '--projection', 'postgres', '--target', t], { TRACKSTREAM_PG_URL: 'postgres://trackstream:trackstream@127.0.0.1:1/trackstream' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/postgres: .*ECONNREFUSED/);
    const chDown = await cli(['replay', '--projection', 'clickhouse', '--target', t], { TRACKSTREAM_CLICKHOUSE_URL: 'http://127.0.0.1:1/x' });
    expect(chDown.code).toBe(1);
    expect(chDown.err).toMatch(/clickhouse: /);
    const kafkaDown = await cli(['replay', '--projection', 'postgres', '--target', t], { TRACKSTREAM_KAFKA_BROKERS: '127.0.0.1:1' });
    expect(kafkaDown.code).toBe(1);
    expect(kafkaDown.err).toMatch(/cannot read the offsets of topic/);
    expect(await pgSchemaExists(admin, t)).toBe(false);
    const live = await cli(['replay', '--projection', 'postgres', '--target', pgLive.schema]);
    expect(live.code).toBe(2);
    expect(live.err).toMatch(/is the live postgres projection/);
    const unknownRun = await cli(['export', '--run', 'no-such-run', '--format', 'jsonl']);
    expect(unknownRun.code).toBe(1);
    expect(unknownRun.err).toMatch(/no events for run no-such-run/);
    const noAudit = await cli(['audit', '--run', 'no-such-run']);
    expect(noAudit.code).toBe(1);
    const usage = await cli(['replay', '--projection', 'mysql']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--projection must be postgres, clickhouse or all/);
    expect((await cli(['replay', '--help'])).out.join('\n')).toMatch(/usage: trackstream replay/);
    expect(await pgTableSums(admin, pgLive.schema)).toEqual(before);
    expect(await chTableSums(chLive.client, chLive.database)).toEqual(chBefore);
  });

  it('export lists a run\'s events in log order with partition and offset (jsonl and csv)', async () => {
    const run = 'exp-a-run-1';
    const expected = [...eventsA, eventsA[3]!, eventsA[20]!, eventsA[eventsA.length - 1]!].filter((e) => e.run_id === run);
    const j = await cli(['export', '--run', run, '--format', 'jsonl']);
    expect(j.code).toBe(0);
    const rows = j.out.map((l) => JSON.parse(l) as { partition: number; offset: string; event_id: string; type: string });
    expect(rows.map((r) => r.event_id)).toEqual(expected.map((e) => e.event_id));
    expect(new Set(rows.map((r) => r.partition)).size).toBe(1);
    const offsets = rows.map((r) => Number(r.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    const c = await cli(['export', '--run', run, '--format', 'csv']);
    expect(c.code).toBe(0);
    expect(c.out[0]).toBe('partition,offset,event_id,type,project,experiment_id,run_id,occurred_at,received_at,principal,payload');
    expect(c.out.slice(1).map((l) => l.split(',')[2])).toEqual(expected.map((e) => e.event_id));
    expect(c.out.slice(1).map((l) => l.split(',')[1])).toEqual(rows.map((r) => r.offset));
    const exp = await cli(['export', '--experiment', 'exp-b', '--format', 'jsonl']);
    expect(exp.out).toHaveLength(eventsB.length);
    // --from/--to filter on received_at; --out writes a file
    const mid = eventsB[10]!.received_at;
    const file = path.join(os.tmpdir(), `${uniqueName('export')}.jsonl`);
    const ranged = await cli(['export', '--experiment', 'exp-b', '--from', String(mid), '--to', new Date(mid + 2).toISOString(), '--out', file]);
    expect(ranged.code).toBe(0);
    const written = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { event_id: string }).event_id);
    fs.unlinkSync(file);
    expect(written.sort()).toEqual(eventsB.filter((e) => e.received_at >= mid && e.received_at <= mid + 2).map((e) => e.event_id).sort());
  });

  it('audit shows who sent what, conflicts, redeliveries and DLQ rejections', async () => {
    const a = await cli(['audit', '--run', 'exp-a-run-1']);
    expect(a.code).toBe(0);
    const text = a.out.join('\n');
    expect(text).toMatch(/tester/);
    expect(text).toMatch(/CONFLICT param lr: "0.5" ignored, keeps "0.02"/);
    expect(text).toMatch(/REJECTED p\d+@\d+ by (postgres|clickhouse) projection: EVENT_UNDECODABLE/);
    const b = await cli(['audit', '--run', 'exp-a-run-0']);
    expect(b.out.join('\n')).toMatch(/REDELIVERED event/);
  });

  it('--switch refuses while the live projector group has members, then swaps atomically', async () => {
    // A scratch "live" projection (never the test's own live one), built by a replay.
    const scratch = target('rp_live');
    expect((await cli(['replay', '--projection', 'all', '--target', scratch])).code).toBe(0);
    const swEnv = { TRACKSTREAM_PG_SCHEMA: scratch, TRACKSTREAM_CLICKHOUSE_URL: withDatabase(stack.clickhouseUrl, scratch) };
    const t = target('rp_sw');
    const sink = new PostgresSink({ connectionString: stack.pgUrl, schema: scratch });
    const runtime = new ProjectionRuntime({
      brokers: stack.kafkaBrokers, topic: topic.topic, dlqTopic: dlq.topic, groupId: `${groupPrefix}postgres`, sink,
      logger: noopLogger, metrics: new ProjectorMetrics(createMetricsRegistry('t-sw'), 'postgres'),
    });
    await runtime.start();
    try {
      const refused = await cli(['replay', '--projection', 'all', '--target', t, '--switch'], swEnv);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/refusing to switch while live projectors run/);
    } finally {
      await runtime.stop();
      await sink.close();
    }
    const sw = await cli(['replay', '--projection', 'all', '--target', t, '--switch'], swEnv);
    expect(sw.out.join('\n')).toMatch(/postgres: switched/);
    expect(sw.out.join('\n')).toMatch(/clickhouse: switched/);
    expect(sw.code).toBe(0);
    pgSchemas.push(`${scratch}_before_${t}`.slice(0, 63));
    chDatabases.push(`${scratch}_before_${t}`.slice(0, 63));
    expect(await pgSchemaExists(admin, t)).toBe(false);
    expect((await cli(['verify', '--projection', 'postgres', '--a', pgLive.schema, '--b', scratch])).code).toBe(0);
    expect((await cli(['verify', '--projection', 'clickhouse', '--a', chLive.database, '--b', scratch])).code).toBe(0);
    // The view still answers in the switched database.
    const rs = await chLive.client.query({ query: `SELECT count() AS n FROM \`${scratch}\`.run_metric_summaries`, format: 'JSONEachRow' });
    expect(Number(((await rs.json()) as { n: string }[])[0]!.n)).toBeGreaterThan(0);
  });
});
