// SDK benchmark: what logging costs a training loop. Uses the built SDK (packages/sdk/dist) against the real
// ingest gateway (services/ingest-gateway/dist/main.js, its own process) on a fresh topic of the running Kafka.
//   1. log() cost in a tight loop: every call timed (hrtime), median / p99 / p99.9 / max, for a 2-metric call and a
//      100-metric call. The loop yields every 1,000 calls so the background flusher runs as it would in real code.
//   2. Training-loop overhead: a loop of steps of fixed CPU work sized for 100 steps/s (~10 ms each), logging
//      100 metrics per step, against the same loop without logging. Rounds alternate (A/B/A/B…) to cancel drift on a
//      shared machine; overhead = median(with) / median(without) - 1. Everything the flusher does on the main
//      thread (batching, JSON, HTTP) lands inside the measured wall time.
// Usage: npm run bench:sdk   (env: TRACKSTREAM_KAFKA_BROKERS, BENCH_ROUNDS=10, BENCH_ROUND_S=1, BENCH_CALLS=200000)
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { Trackstream } = require(path.join(ROOT, 'packages/sdk/dist/index.js'));
const { createKafkaClient } = require('@trackstream/kafka');
const { noopLogger } = require('@trackstream/telemetry');

const BROKERS = process.env.TRACKSTREAM_KAFKA_BROKERS ?? '127.0.0.1:9092';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 1);
const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const STEPS_PER_S = 100;
const METRICS_PER_STEP = 100;

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

async function waitReady(port, ms = 30_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/readyz' }, (res) => { res.resume(); resolve(res.statusCode === 200); }).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('gateway not ready');
}

const yieldLoop = () => new Promise((r) => setImmediate(r));

function quantiles(ns) {
  const s = Float64Array.from(ns).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))] / 1000;
  return { median_us: q(0.5), p99_us: q(0.99), p999_us: q(0.999), max_us: s[s.length - 1] / 1000 };
}

async function logCost(client, keys) {
  const run = await client.startRun({ experiment: 'bench-sdk', name: `tight-${keys}` });
  const metrics = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`metric_${i}`, 0]));
  const calls = keys === 2 ? CALLS : Math.floor(CALLS / 20);
  const warm = Math.floor(calls / 10);
  const times = new Float64Array(calls);
  let step = 0;
  for (let i = -warm; i < calls; i++) {
    for (const k in metrics) metrics[k] = Math.random();
    const t0 = process.hrtime.bigint();
    run.log(metrics, { step: step++ });
    const dt = Number(process.hrtime.bigint() - t0);
    if (i >= 0) times[i] = dt;
    if (i % 1000 === 0) await yieldLoop();
  }
  const report = await run.finish({ timeoutMs: 60_000 });
  // The clock itself: an empty timed section, to read the figures against.
  const empty = new Float64Array(100_000);
  for (let i = 0; i < empty.length; i++) {
    const t0 = process.hrtime.bigint();
    empty[i] = Number(process.hrtime.bigint() - t0);
  }
  return { keys_per_call: keys, calls, points: calls * keys, ...quantiles(times), timer_overhead_median_us: quantiles(empty).median_us, complete: report.complete };
}

// ~10 ms of CPU per step (100 steps/s), calibrated on this machine.
function calibrate() {
  const buf = new Float64Array(4096);
  const work = (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const j = i & 4095;
      buf[j] = Math.sqrt(buf[j] + i) * 1.0000001;
      acc += buf[j];
    }
    return acc;
  };
  let n = 100_000;
  for (;;) {
    const t0 = process.hrtime.bigint();
    work(n);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > 50) return { work, n: Math.round((n * (1000 / STEPS_PER_S)) / ms) };
    n *= 2;
  }
}

async function trainingRound(work, n, steps, run) {
  const metrics = Object.fromEntries(Array.from({ length: METRICS_PER_STEP }, (_, i) => [`m_${i}`, 0]));
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) {
    const v = work(n);
    if (run) {
      for (const k in metrics) metrics[k] = v;
      run.log(metrics, { step: s });
    }
    // A real loop hands control back (data loader, GPU sync); this is where the flusher gets to run.
    await yieldLoop();
  }
  const cpu = process.cpuUsage(c0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: (cpu.user + cpu.system) / 1000 };
}

async function main() {
  const port = await freePort();
  const topic = `bench-sdk-${Date.now().toString(36)}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'services/ingest-gateway/dist/main.js')], {
    env: { ...process.env, TRACKSTREAM_KAFKA_BROKERS: BROKERS, TRACKSTREAM_GATEWAY_PORT: String(port), TRACKSTREAM_GATEWAY_HOST: '127.0.0.1', TRACKSTREAM_EVENTS_TOPIC: topic, TRACKSTREAM_EVENTS_TOPIC_PARTITIONS: '4', TRACKSTREAM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sdk-spool-'));
  try {
    await waitReady(port);
    const client = new Trackstream({ url: `http://127.0.0.1:${port}`, project: 'bench', spoolDir, exitHooks: false });

    const tight = [await logCost(client, 2), await logCost(client, 100)];

    const { work, n } = calibrate();
    const steps = ROUND_S * STEPS_PER_S;
    const withLog = [];
    const without = [];
    const run = await client.startRun({ experiment: 'bench-sdk', name: 'training-loop' });
    await trainingRound(work, n, 50, null); // warm-up
    await trainingRound(work, n, 50, run);
    for (let r = 0; r < ROUNDS; r++) {
      without.push(await trainingRound(work, n, steps, null));
      withLog.push(await trainingRound(work, n, steps, run));
    }
    const report = await run.finish({ timeoutMs: 60_000 });
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const wall = (xs) => xs.map((x) => x.wall);
    const cpu = (xs) => xs.map((x) => x.cpu);
    const stats = client.stats();
    await client.close({ timeoutMs: 10_000 });
    const result = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      log_cost: tight,
      training_loop: {
        steps_per_round: steps,
        metrics_per_step: METRICS_PER_STEP,
        rounds: ROUNDS,
        median_wall_ms_without: median(wall(without)),
        median_wall_ms_with: median(wall(withLog)),
        overhead_wall_pct: (median(wall(withLog)) / median(wall(without)) - 1) * 100,
        median_cpu_ms_without: median(cpu(without)),
        median_cpu_ms_with: median(cpu(withLog)),
        // CPU time of this process (main thread + zlib threads): robust against other tenants of a shared machine.
        overhead_cpu_pct: (median(cpu(withLog)) / median(cpu(without)) - 1) * 100,
        rounds_wall_ms_without: wall(without).map(Math.round),
        rounds_wall_ms_with: wall(withLog).map(Math.round),
        delivered_complete: report.complete,
      },
      sent_requests: stats.sentRequests,
      sent_events: stats.sentEvents,
      retries: stats.retries,
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(spoolDir, { recursive: true, force: true });
    const admin = createKafkaClient({ clientId: 'bench-sdk', brokers: BROKERS.split(','), logger: noopLogger }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
