// Projector benchmark: the built projector process (services/projector/dist/main.js) draining a backlog that was
// produced straight to its own topic of the running Kafka (12 partitions), into its own Postgres schema /
// ClickHouse database. Rates are measured from the first applied batch to the last (group join excluded).
//   lifecycle   (postgres):   RUNS runs × 7 lifecycle events (run_started, params, tags, artifact, lineage,
//                             a 10-point metrics event, run_completed) → events/s
//   metrics     (postgres, clickhouse): METRIC_EVENTS metrics_logged events × 1,000 points → points/s
//   burst       (postgres):   projector running; a steady rate for 10 s, then 10× that rate for BURST_S,
//                             then lag (sum over partitions) sampled until it is 0 → drain time after the burst
// Usage: npm run bench:projector  (env: TRACKSTREAM_KAFKA_BROKERS / _PG_URL / _CLICKHOUSE_URL,
//        BENCH_CPU_PROF=1 writes a V8 CPU profile of the projector to bench/results/tmp/,
//        BENCH_RUNS=15000, BENCH_METRIC_EVENTS=1500, BENCH_STEADY_RATE=500, BENCH_BURST_S=20, BENCH_ONLY=lifecycle,…)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { freePort } from '@trackstream/testkit';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');
const { Pool } = require('pg');
const { createClient } = require('@clickhouse/client');
const { encodeEvent, eventKey } = require('@trackstream/events');
const { PostgresSink } = require('@trackstream/postgres');
const { ClickHouseSink } = require('@trackstream/clickhouse');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'services/projector/dist/main.js');
const BROKERS = (process.env.TRACKSTREAM_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PG_URL = process.env.TRACKSTREAM_PG_URL ?? 'postgres://trackstream:trackstream@127.0.0.1:5432/trackstream';
const CH_URL = process.env.TRACKSTREAM_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123/trackstream';
const RUNS = Number(process.env.BENCH_RUNS ?? 15000);
const METRIC_EVENTS = Number(process.env.BENCH_METRIC_EVENTS ?? 1500);
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 500);
const BURST_S = Number(process.env.BENCH_BURST_S ?? 20);
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : ['lifecycle', 'metrics-postgres', 'metrics-clickhouse', 'burst'];
const PARTITIONS = 12;

const kafka = new Kafka({ clientId: 'bench-projector', brokers: BROKERS, logLevel: logLevel.NOTHING });
const name = (p) => `bench_${p}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


let clock = Date.now();
function ev(type, run_id, payload, experiment_id = 'exp-bench') {
  const t = clock++;
  return { event_id: randomUUID(), type, project: 'bench', experiment_id, run_id, occurred_at: t, received_at: t, principal: 'bench', payload };
}

function lifecycleRun(r) {
  const run = `run-${r}`;
  return [
    ev('run_started', run, {
      run_name: `trial-${r}`, user: 'bench', parent_run_id: null,
      source: { git_commit: 'c0ffee', git_branch: 'main', git_dirty: false, entry_point: 'train.py', host: 'h1' },
      start_time: clock, tags: { sweep: 's1' }, context: { argv: 'train.py' },
    }),
    ev('params_logged', run, { params: { lr: String(r / 1e4), depth: String(r % 8), optimizer: 'adam', batch: '64', seed: String(r) } }),
    ev('tags_set', run, { tags: { team: 'cv', stage: 'dev', trial: String(r) } }),
    ev('artifact_logged', run, { path: 'model.pt', uri: `s3://m/${run}/model.pt`, size_bytes: 1000, sha256: null, media_type: null }),
    ev('lineage_recorded', run, { inputs: [{ kind: 'dataset', name: 'imagenet', version: '1', digest: null }], outputs: [] }),
    ev('metrics_logged', run, { points: Array.from({ length: 10 }, (_, i) => ({ key: `m${i % 2}`, value: Math.random(), step: i, timestamp: clock })) }),
    ev('run_completed', run, { status: 'FINISHED', end_time: clock }),
  ];
}

function metricsEvent(i) {
  const run = `mrun-${i % 100}`;
  return ev('metrics_logged', run, {
    points: Array.from({ length: 1000 }, (_, k) => ({ key: `metric_${k % 10}`, value: Math.random(), step: Math.floor(i / 100) * 100 + Math.floor(k / 10), timestamp: clock })),
  });
}

async function createTopic(topic) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
}

/** Deletes the topic and the DLQ topic the projector made for it. */
async function deleteTopic(topic) {
  const admin = kafka.admin();
  await admin.connect();
  const existing = await admin.listTopics();
  await admin.deleteTopics({ topics: [topic, `${topic}_dlq`].filter((t) => existing.includes(t)) }).catch(() => undefined);
  await admin.disconnect();
}

// Requests stay under the broker's 1 MB message limit: 1,000-point events are ~30 KB each.
async function produce(producer, topic, events) {
  let messages = [];
  let bytes = 0;
  const flush = async () => {
    if (messages.length > 0) await producer.send({ topic, acks: -1, messages });
    messages = [];
    bytes = 0;
  };
  for (const e of events) {
    const value = encodeEvent(e);
    if (bytes + value.length > 700_000 || messages.length >= 500) await flush();
    messages.push({ key: eventKey(e), value });
    bytes += value.length;
  }
  await flush();
}

async function highWatermarkSum(topic) {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return offsets.reduce((a, p) => a + Number(p.high), 0);
}

function startProjector(projection, env) {
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/results/tmp')}`] : [];
  const child = spawn(process.execPath, [...prof, MAIN, '--projection', projection], {
    env: { ...process.env, TRACKSTREAM_KAFKA_BROKERS: BROKERS.join(','), TRACKSTREAM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function stopProjector(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Samples checkpoints until they reach `total`; returns the time of the first progress and of completion. */
async function drain(sink, topic, total, timeoutMs = 120_000) {
  const start = Date.now();
  let first = null;
  let firstApplied = 0;
  for (;;) {
    let applied = 0;
    try {
      applied = [...(await sink.loadCheckpoints(topic)).values()].reduce((a, o) => a + Number(o), 0);
    } catch {
      applied = 0;
    }
    if (first === null && applied > 0) {
      first = Date.now();
      firstApplied = applied;
    }
    if (applied >= total) return { first: first ?? Date.now(), firstApplied, done: Date.now(), start };
    if (Date.now() - start > timeoutMs) throw new Error(`not drained in ${timeoutMs} ms (${applied}/${total})`);
    await sleep(50);
  }
}

async function pgStore() {
  const schema = name('pg');
  const admin = new Pool({ connectionString: PG_URL, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  return {
    env: { TRACKSTREAM_PG_URL: PG_URL, TRACKSTREAM_PG_SCHEMA: schema },
    sink: new PostgresSink({ connectionString: PG_URL, schema, poolSize: 1 }),
    cleanup: async () => {
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

async function chStore() {
  const database = name('ch');
  const u = new URL(CH_URL);
  u.pathname = `/${database}`;
  const url = u.toString();
  return {
    env: { TRACKSTREAM_CLICKHOUSE_URL: url },
    sink: new ClickHouseSink({ url }),
    cleanup: async () => {
      const base = new URL(CH_URL);
      base.pathname = '/';
      const c = createClient({ url: base.toString() });
      await c.command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await c.close();
    },
  };
}

/** Backlog scenario: produce everything, then start the projector and time the drain. */
async function backlog(label, projection, makeStore, events, points) {
  const topic = name('topic');
  await createTopic(topic);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await produce(producer, topic, events);
  } catch (err) {
    await deleteTopic(topic);
    throw err;
  } finally {
    await producer.disconnect();
  }
  const store = await makeStore();
  const child = startProjector(projection, { ...store.env, TRACKSTREAM_EVENTS_TOPIC: topic, TRACKSTREAM_DLQ_TOPIC: `${topic}_dlq`, TRACKSTREAM_PROJECTOR_GROUP_ID: topic, TRACKSTREAM_PROJECTOR_PORT: String(await freePort()) });
  try {
    const t = await drain(store.sink, topic, events.length);
    const secs = (t.done - t.first) / 1000;
    const counted = events.length - t.firstApplied;
    const pointsCounted = (points * counted) / events.length;
    return { scenario: label, events: events.length, points, seconds: +secs.toFixed(2), 'events/s': Math.round(counted / secs), 'points/s': Math.round(pointsCounted / secs), 'wall s (incl. group join)': +((t.done - t.start) / 1000).toFixed(2) };
  } finally {
    await stopProjector(child);
    await store.sink.close();
    await store.cleanup();
    await deleteTopic(topic);
  }
}

/** Burst scenario: projector running; steady rate, then 10× for BURST_S; then time until lag is 0. */
async function burst() {
  const topic = name('topic');
  await createTopic(topic);
  const store = await pgStore();
  const child = startProjector('postgres', { ...store.env, TRACKSTREAM_EVENTS_TOPIC: topic, TRACKSTREAM_DLQ_TOPIC: `${topic}_dlq`, TRACKSTREAM_PROJECTOR_GROUP_ID: topic, TRACKSTREAM_PROJECTOR_PORT: String(await freePort()) });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let r = 0;
  let produced = 0;
  let maxLag = 0;
  const applied = async () => [...(await store.sink.loadCheckpoints(topic).catch(() => new Map())).values()].reduce((a, o) => a + Number(o), 0);
  const phase = async (rate, seconds) => {
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const tickStart = Date.now();
      const batch = [];
      while (batch.length < rate / 10) batch.push(...lifecycleRun(r++));
      await produce(producer, topic, batch);
      produced += batch.length;
      maxLag = Math.max(maxLag, produced - (await applied()));
      await sleep(Math.max(0, 100 - (Date.now() - tickStart)));
    }
  };
  try {
    await sleep(3000); // group join
    await phase(STEADY_RATE, 10);
    const burstStart = Date.now();
    await phase(STEADY_RATE * 10, BURST_S);
    const burstEnd = Date.now();
    const achieved = Math.round((produced - STEADY_RATE * 10) / ((burstEnd - burstStart) / 1000));
    const total = await highWatermarkSum(topic);
    const lagAtEnd = total - (await applied());
    const t = await drain(store.sink, topic, total);
    return { scenario: `burst ${STEADY_RATE}/s → ${STEADY_RATE * 10}/s target for ${BURST_S}s (achieved ~${achieved}/s produced)`, events: total, 'max lag (events)': maxLag, 'lag at burst end': lagAtEnd, 'drain after burst s': +((t.done - burstEnd) / 1000).toFixed(2) };
  } finally {
    await producer.disconnect();
    await stopProjector(child);
    await store.sink.close();
    await store.cleanup();
    await deleteTopic(topic);
  }
}

console.log(JSON.stringify({ machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`, loadavg: os.loadavg().map((l) => +l.toFixed(2)) }));
const results = { push: (r) => console.log(JSON.stringify(r)) };
if (ONLY.includes('lifecycle')) {
  const events = Array.from({ length: RUNS }, (_, r) => lifecycleRun(r)).flat();
  results.push(await backlog('lifecycle → postgres', 'postgres', pgStore, events, RUNS * 10));
}
const metricEvents = ONLY.some((o) => o.startsWith('metrics')) ? Array.from({ length: METRIC_EVENTS }, (_, i) => metricsEvent(i)) : [];
if (ONLY.includes('metrics-postgres')) results.push(await backlog('metrics → postgres', 'postgres', pgStore, metricEvents, METRIC_EVENTS * 1000));
if (ONLY.includes('metrics-clickhouse')) results.push(await backlog('metrics → clickhouse', 'clickhouse', chStore, metricEvents, METRIC_EVENTS * 1000));
if (ONLY.includes('burst')) results.push(await burst());

console.log(JSON.stringify({ loadavgAfter: os.loadavg().map((l) => +l.toFixed(2)) }));
