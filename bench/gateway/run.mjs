// Ingest gateway benchmark: one gateway process (the built services/ingest-gateway/dist/main.js) on its own topic
// of the running Kafka, fed batches of 100 metrics_logged events x 10 points over keep-alive HTTP.
//   phase 1 (throughput): closed loop, CONCURRENCY requests in flight, for DURATION_S; accepted points/s.
//   phase 2 (latency):    open loop at half the measured rate, for DURATION_S; p50/p99 of the 202 round trip.
// Usage: npm run bench:gateway   (env: TRACKSTREAM_KAFKA_BROKERS, BENCH_DURATION_S=15, BENCH_CONCURRENCY=8,
//        BENCH_CPU_PROF=1 writes a V8 CPU profile of the gateway to bench/results/tmp/)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createKafkaClient } = require('@trackstream/kafka');
const { noopLogger } = require('@trackstream/telemetry');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BROKERS = process.env.TRACKSTREAM_KAFKA_BROKERS ?? '127.0.0.1:9092';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const EVENTS_PER_BATCH = 100;
const POINTS_PER_EVENT = 10;
const POINTS_PER_BATCH = EVENTS_PER_BATCH * POINTS_PER_EVENT;
const BODIES = 400;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Bodies are made up front so the load generator spends its CPU on HTTP, not on JSON.stringify. They are reused
// cyclically: the gateway does not deduplicate, so repeated event ids cost it exactly what fresh ones would.
function makeBodies() {
  const bodies = [];
  for (let b = 0; b < BODIES; b++) {
    const run = `run-bench-${b % 50}`;
    const now = Date.now();
    const events = Array.from({ length: EVENTS_PER_BATCH }, (_, e) => ({
      event_id: randomUUID(),
      type: 'metrics_logged',
      project: 'bench',
      experiment_id: 'exp-bench',
      run_id: run,
      occurred_at: now,
      payload: {
        points: Array.from({ length: POINTS_PER_EVENT }, (_, k) => ({ key: `metric_${k}`, value: Math.random(), step: b * EVENTS_PER_BATCH + e, timestamp: now })),
      },
    }));
    bodies.push(Buffer.from(JSON.stringify({ events })));
  }
  return bodies;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

function post(port, body) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      { host: '127.0.0.1', port, path: '/v1/events', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    req.end(body);
  });
}

async function waitReady(port, child) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/readyz' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('gateway not ready within 30 s');
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function closedLoop(port, bodies, seconds) {
  const statuses = {};
  let accepted = 0;
  let next = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const r = await post(port, bodies[next++ % bodies.length]);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status === 202) accepted++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  return { pointsPerSecond: (accepted * POINTS_PER_BATCH) / elapsed, batchesPerSecond: accepted / elapsed, statuses };
}

async function openLoop(port, bodies, batchesPerSecond, seconds) {
  const statuses = {};
  const latencies = [];
  const pending = [];
  const interval = 1000 / batchesPerSecond;
  const total = Math.floor(batchesPerSecond * seconds);
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      post(port, bodies[i % bodies.length]).then((r) => {
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status === 202) latencies.push(r.ms);
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { offeredPointsPerSecond: (total * POINTS_PER_BATCH) / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1), statuses };
}

async function main() {
  const topic = `bench_gateway_${Date.now().toString(36)}`;
  const port = await freePort();
  const nodeArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(ROOT, 'bench/results/tmp')] : [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'services/ingest-gateway/dist/main.js')], {
    env: { ...process.env, TRACKSTREAM_KAFKA_BROKERS: BROKERS, TRACKSTREAM_GATEWAY_PORT: String(port), TRACKSTREAM_GATEWAY_HOST: '127.0.0.1', TRACKSTREAM_EVENTS_TOPIC: topic, TRACKSTREAM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const kafka = createKafkaClient({ clientId: 'bench-gateway', brokers: BROKERS.split(','), logger: noopLogger });
  try {
    const bodies = makeBodies();
    await waitReady(port, child);
    await closedLoop(port, bodies, 3); // warm-up: JIT, connections, producer
    const t = await closedLoop(port, bodies, DURATION_S);
    const half = t.batchesPerSecond / 2;
    const l = await openLoop(port, bodies, half, DURATION_S);

    const mb = (bodies.reduce((n, b) => n + b.length, 0) / bodies.length / 1024).toFixed(1);
    console.log(`\nIngest gateway benchmark — ${new Date().toISOString()}`);
    console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; Kafka ${BROKERS} (shared, acks=all)`);
    console.log(`batch: ${EVENTS_PER_BATCH} events x ${POINTS_PER_EVENT} points (${mb} KiB JSON); ${DURATION_S} s per phase; closed loop with ${CONCURRENCY} in flight\n`);
    const rows = [
      ['phase', 'points/s', 'batches/s', 'p50 ms', 'p99 ms', 'max ms', 'statuses'],
      ['throughput (closed loop)', t.pointsPerSecond.toFixed(0), t.batchesPerSecond.toFixed(1), '', '', '', JSON.stringify(t.statuses)],
      ['latency at half rate', l.offeredPointsPerSecond.toFixed(0), half.toFixed(1), l.p50.toFixed(1), l.p99.toFixed(1), l.max?.toFixed(1) ?? '', JSON.stringify(l.statuses)],
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
    for (const r of rows) console.log('| ' + r.map((v, c) => String(v).padEnd(widths[c])).join(' | ') + ' |');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    agent.destroy();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
