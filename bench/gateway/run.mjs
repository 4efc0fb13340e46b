// Ingest gateway benchmark: one gateway process (the built services/ingest-gateway/dist/main.js) on its own topic
// of the running Kafka, fed batches of 100 metrics_logged events x 10 points over keep-alive HTTP.
//   phase 1 (throughput): closed loop, CONCURRENCY requests in flight, for DURATION_S; accepted points/s.
//   phase 2 (latency):    open loop at half the measured rate, for DURATION_S; p50/p99 of the 202 round trip.
// Usage: npm run bench:gateway   (env: TRACKSTREAM_KAFKA_BROKERS, BENCH_DURATION_S=15, BENCH_CONCURRENCY=8,
//        BENCH_CPU_PROF=1 writes a V8 CPU profile of the gateway to bench/results/tmp/,
//        BENCH_GATEWAY_NODE_ARGS="--flag ..." passes node flags to the gateway process only,
//        BENCH_GATEWAY_NICE=-10 runs the gateway at that scheduling priority, to tell CPU contention from own cost)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { freePort } from '@trackstream/testkit';
import { waitReady, scrape, histogramQuantile, sumMatching, percentile } from '../lib/common.mjs';

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
  const slowest = [];
  const pending = [];
  const interval = 1000 / batchesPerSecond;
  const total = Math.floor(batchesPerSecond * seconds);
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sentAt = performance.now() - start;
    pending.push(
      post(port, bodies[i % bodies.length]).then((r) => {
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status === 202) latencies.push(r.ms);
        slowest.push([r.ms, sentAt]);
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  if (process.env.BENCH_VERBOSE) {
    slowest.sort((a, b) => b[0] - a[0]);
    console.log('slowest requests [ms, sent at ms]:', JSON.stringify(slowest.slice(0, 12).map(([a, b]) => [Math.round(a), Math.round(b)])));
  }
  return { offeredPointsPerSecond: (total * POINTS_PER_BATCH) / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1), statuses };
}

async function main() {
  const topic = `bench_gateway_${Date.now().toString(36)}`;
  const port = await freePort();
  const nodeArgs = [
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(ROOT, 'bench/results/tmp')] : []),
    // Default: the flags scripts/start.sh runs the gateway with, so the figures are the deployed gateway's.
    ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean),
  ];
  // BENCH_GATEWAY_NICE (e.g. -10) is a diagnostic: it shows how much of the tail is waiting for a CPU on a shared machine.
  const nice = process.env.BENCH_GATEWAY_NICE;
  const command = nice ? ['nice', ['-n', nice, process.execPath]] : [process.execPath, []];
  const child = spawn(command[0], [...command[1], ...nodeArgs, path.join(ROOT, 'services/ingest-gateway/dist/main.js')], {
    env: { ...process.env, TRACKSTREAM_AUTH: 'off', TRACKSTREAM_KAFKA_BROKERS: BROKERS, TRACKSTREAM_GATEWAY_PORT: String(port), TRACKSTREAM_GATEWAY_HOST: '127.0.0.1', TRACKSTREAM_EVENTS_TOPIC: topic, TRACKSTREAM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const kafka = createKafkaClient({ clientId: 'bench-gateway', brokers: BROKERS.split(','), logger: noopLogger });
  try {
    const bodies = makeBodies();
    await waitReady(port, { child, name: 'gateway' });
    await closedLoop(port, bodies, 3); // warm-up: JIT, connections, producer
    const t = await closedLoop(port, bodies, DURATION_S);
    const half = t.batchesPerSecond / 2;
    const m0 = await scrape(port);
    const cpu0 = process.cpuUsage();
    const l = await openLoop(port, bodies, half, DURATION_S);
    const loadCpu = process.cpuUsage(cpu0);
    const m1 = await scrape(port);
    const where = {
      producerP50: histogramQuantile(m0, m1, 'trackstream_gateway_producer_latency_seconds', 'outcome="ok"', 0.5),
      producerP99: histogramQuantile(m0, m1, 'trackstream_gateway_producer_latency_seconds', 'outcome="ok"', 0.99),
      gatewayCpuS: sumMatching(m0, m1, 'process_cpu_seconds_total'),
      gcS: sumMatching(m0, m1, 'nodejs_gc_duration_seconds_sum'),
      majorGcS: sumMatching(m0, m1, 'nodejs_gc_duration_seconds_sum{kind="major"'),
      heapMiB: ([...m1].find(([k]) => k.startsWith('nodejs_heap_size_used_bytes'))?.[1] ?? NaN) / 2 ** 20,
      loopLagMaxMs: [...m1].filter(([k]) => k.startsWith('nodejs_eventloop_lag_max_seconds'))[0]?.[1] * 1000,
      loadGenCpuS: (loadCpu.user + loadCpu.system) / 1e6,
    };

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
    console.log(
      `\nat half rate, over ${DURATION_S} s: producer (append→Kafka ack) p50 ≤ ${where.producerP50} ms, p99 ≤ ${where.producerP99} ms (histogram buckets); ` +
        `gateway CPU ${where.gatewayCpuS.toFixed(1)} s of which GC ${where.gcS.toFixed(2)} s (major ${where.majorGcS.toFixed(2)} s, heap used ${where.heapMiB.toFixed(0)} MiB); event-loop lag max ${where.loopLagMaxMs?.toFixed(0)} ms; ` +
        `load generator CPU ${where.loadGenCpuS.toFixed(1)} s; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    );
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
