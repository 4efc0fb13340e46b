// Replay benchmark: the built `trackstream replay` command (services/cli/dist/main.js) rebuilding a projection from
// its own topic of the running Kafka (12 partitions) into a fresh Postgres schema / ClickHouse database.
// Workload: BENCH_RUNS runs × (run_started, params_logged, BENCH_METRIC_EVENTS_PER_RUN metrics_logged events of
// BENCH_POINTS points each, run_completed). Rate = records / the command's own replay time (group join included,
// process start excluded); wall time is printed too.
// Usage: npm run bench:replay  (env: TRACKSTREAM_KAFKA_BROKERS / _PG_URL / _CLICKHOUSE_URL, BENCH_RUNS=1000,
//        BENCH_METRIC_EVENTS_PER_RUN=3, BENCH_POINTS=100, BENCH_ONLY=postgres,clickhouse)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Kafka, logLevel, Partitioners } = require('kafkajs');
const { Pool } = require('pg');
const { createClient } = require('@clickhouse/client');
const { encodeEvent, eventKey } = require('@trackstream/events');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'services/cli/dist/main.js');
const BROKERS = process.env.TRACKSTREAM_KAFKA_BROKERS ?? '127.0.0.1:9092';
const PG_URL = process.env.TRACKSTREAM_PG_URL ?? 'postgres://trackstream:trackstream@127.0.0.1:5432/trackstream';
const CH_URL = process.env.TRACKSTREAM_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123/trackstream';
const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const PER_RUN = Number(process.env.BENCH_METRIC_EVENTS_PER_RUN ?? 3);
const POINTS = Number(process.env.BENCH_POINTS ?? 100);
const ONLY = (process.env.BENCH_ONLY ?? 'postgres,clickhouse').split(',');
const name = (p) => `bench_${p}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;

let clock = Date.now() - 3_600_000;
function ev(type, run_id, payload) {
  const t = clock++;
  return { event_id: randomUUID(), type, project: 'bench', experiment_id: 'exp-bench', run_id, occurred_at: t, received_at: t, principal: 'bench', payload };
}

function runCli(args, env) {
  return new Promise((resolve) => {
    const started = Date.now();
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => resolve({ code, out, err, wall: (Date.now() - started) / 1000 }));
  });
}

const kafka = new Kafka({ clientId: 'bench-replay', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
const topic = name('replay');
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 12, replicationFactor: 1 }], waitForLeaders: true });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
let events = 0;
let points = 0;
for (let r = 0; r < RUNS; r += 100) {
  const batch = [];
  for (let i = r; i < Math.min(RUNS, r + 100); i++) {
    const run = `run-${i}`;
    batch.push(ev('run_started', run, { run_name: run, user: 'bench', parent_run_id: null, source: { git_commit: null, git_branch: null, git_dirty: null, entry_point: null, host: null }, start_time: clock, tags: { k: 'v' }, context: {} }));
    batch.push(ev('params_logged', run, { params: { lr: '0.01', layers: String(i % 8) } }));
    for (let m = 0; m < PER_RUN; m++) {
      batch.push(ev('metrics_logged', run, { points: Array.from({ length: POINTS }, (_, s) => ({ key: s % 2 ? 'loss' : 'acc', value: Math.random(), step: m * POINTS + s, timestamp: clock })) }));
      points += POINTS;
    }
    batch.push(ev('run_completed', run, { status: 'FINISHED', end_time: clock }));
  }
  events += batch.length;
  await producer.send({ topic, acks: -1, messages: batch.map((e) => ({ key: eventKey(e), value: encodeEvent(e) })) });
}
await producer.disconnect();
console.log(`topic ${topic}: ${events} events, ${points} metric points; ${os.cpus().length} cpus, load ${os.loadavg()[0].toFixed(1)}`);

const target = name('t');
const env = { TRACKSTREAM_KAFKA_BROKERS: BROKERS, TRACKSTREAM_PG_URL: PG_URL, TRACKSTREAM_CLICKHOUSE_URL: CH_URL, TRACKSTREAM_EVENTS_TOPIC: topic, TRACKSTREAM_LOG_LEVEL: 'error',
  // A benchmark of the replay itself, on a scratch topic: local single-user mode (docs/security.md) unless set.
  TRACKSTREAM_AUTH: process.env.TRACKSTREAM_AUTH ?? 'off' };
try {
  for (const projection of ONLY) {
    const r = await runCli(['replay', '--projection', projection, '--target', target, '--keep'], env);
    const m = /(\d+) record\(s\) read.* ([\d.]+) s,/.exec(r.out);
    if (r.code !== 0 || !m) throw new Error(`replay ${projection} failed (${r.code}): ${r.out}${r.err}`);
    const secs = Number(m[2]);
    console.log(`${projection}: ${m[1]} records in ${secs.toFixed(1)} s (wall ${r.wall.toFixed(1)} s) → ${Math.round(Number(m[1]) / secs)} events/s, ${Math.round(points / secs)} points/s, load ${os.loadavg()[0].toFixed(1)}`);
  }
} finally {
  const pool = new Pool({ connectionString: PG_URL, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${target}" CASCADE`).catch(() => undefined);
  await pool.end();
  const u = new URL(CH_URL);
  u.pathname = '/';
  const ch = createClient({ url: u.toString() });
  await ch.command({ query: `DROP DATABASE IF EXISTS \`${target}\`` }).catch(() => undefined);
  await ch.close();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
