// SDK benchmark: what logging costs a training loop. Uses the built SDK (packages/sdk/dist) against the real
// ingest gateway (services/ingest-gateway/dist/main.js, its own process) on a fresh topic of the running Kafka.
//   1. log() cost in a tight loop: every call timed (hrtime), median / p99 / p99.9 / max, for a 2-metric call and a
//      100-metric call. The loop yields every 1,000 calls so the background flusher runs as it would in real code.
//   2. Training-loop overhead: a loop of steps of fixed CPU work sized for 100 steps/s (~10 ms each), logging
//      100 metrics per step, against the same loop without logging. Rounds alternate (A/B/A/B…) to cancel drift on a
//      shared machine; overhead = median(with) / median(without) - 1. Everything the flusher does on the main
//      thread (batching, JSON, HTTP) lands inside the measured wall time.
//   3. The SDK's CPU at the real pace (see pacedSeconds): the figure least disturbed by other tenants.
// Usage: npm run bench:sdk   (env: TRACKSTREAM_KAFKA_BROKERS, BENCH_ROUNDS=10, BENCH_ROUND_S=1, BENCH_CALLS=200000,
//        BENCH_PACED_S=5); about 60 s in all.
import { spawn } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { freePort } from '@trackstream/testkit';
import { waitReady } from '../lib/common.mjs';

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
const PACED_S = Number(process.env.BENCH_PACED_S ?? 5);
const METRICS_PER_STEP = 100;


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
    // A real loop yields every step; here every ~2,000 points, so the flusher runs as it would.
    if (i % Math.ceil(2000 / keys) === 0) await yieldLoop();
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
    // CPU time, not wall time: other tenants of the machine must not shrink the step.
    const t0 = mainThreadCpuNs();
    work(n);
    const ms = (mainThreadCpuNs() - t0) / 1e6;
    if (ms > 50) return { work, n: Math.round((n * (1000 / STEPS_PER_S)) / ms) };
    n *= 2;
  }
}

// CPU time of the main thread alone (the training loop's thread), in ns, from the scheduler's accounting; zlib
// compression runs on libuv's thread pool, another core, and is counted in the process figure only.
function mainThreadCpuNs() {
  try {
    return Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

const noop = () => undefined;

// Both variants run the same code (the metrics dict is computed either way, as training code would); the only
// difference is whether the step's metrics go to run.log or to a no-op.
async function trainingRound(work, n, steps, run) {
  const metrics = Object.fromEntries(Array.from({ length: METRICS_PER_STEP }, (_, i) => [`m_${i}`, 0]));
  const log = run ? (m, step) => run.log(m, { step }) : noop;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const m0 = mainThreadCpuNs();
  for (let s = 0; s < steps; s++) {
    const v = work(n);
    let i = 0;
    for (const k in metrics) metrics[k] = v + i++;
    log(metrics, s);
    // A real loop hands control back (data loader, GPU sync); this is where the flusher gets to run.
    await yieldLoop();
  }
  const cpu = process.cpuUsage(c0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: (cpu.user + cpu.system) / 1000, main: (mainThreadCpuNs() - m0) / 1e6 };
}

// The SDK's own CPU at the real pace: 100 steps/s for PACED_S seconds, each step only preparing 100 metric values
// and (or not) logging them; the difference between the variants is what logging costs per second of training,
// i.e. the overhead on a loop that keeps one core busy at 100 steps/s. Measuring a difference of two small
// numbers is far less sensitive to a shared machine's noise than a difference of two large ones.
async function pacedSeconds(run, seconds) {
  const metrics = Object.fromEntries(Array.from({ length: METRICS_PER_STEP }, (_, i) => [`m_${i}`, 0]));
  const c0 = process.cpuUsage();
  const m0 = mainThreadCpuNs();
  const start = Date.now();
  const steps = seconds * STEPS_PER_S;
  for (let s = 0; s < steps; s++) {
    let i = 0;
    for (const k in metrics) metrics[k] = Math.random() + i++;
    if (run) run.log(metrics, { step: s });
    const next = start + ((s + 1) * 1000) / STEPS_PER_S;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  const cpu = process.cpuUsage(c0);
  return { process_ms: (cpu.user + cpu.system) / 1000, main_ms: (mainThreadCpuNs() - m0) / 1e6 };
}

async function main() {
  const port = await freePort();
  const topic = `bench-sdk-${Date.now().toString(36)}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'services/ingest-gateway/dist/main.js')], {
    env: { ...process.env, TRACKSTREAM_AUTH: 'off', TRACKSTREAM_KAFKA_BROKERS: BROKERS, TRACKSTREAM_GATEWAY_PORT: String(port), TRACKSTREAM_GATEWAY_HOST: '127.0.0.1', TRACKSTREAM_EVENTS_TOPIC: topic, TRACKSTREAM_EVENTS_TOPIC_PARTITIONS: '4', TRACKSTREAM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sdk-spool-'));
  try {
    await waitReady(port, { child, name: 'gateway' });
    const client = new Trackstream({ url: `http://127.0.0.1:${port}`, project: 'bench', spoolDir, exitHooks: false });

    const tight = [await logCost(client, 2), await logCost(client, 100)];

    const { work, n } = calibrate();
    const steps = ROUND_S * STEPS_PER_S;
    const withLog = [];
    const without = [];
    const run = await client.startRun({ experiment: 'bench-sdk', name: 'training-loop' });
    await trainingRound(work, n, 50, null); // warm-up
    await trainingRound(work, n, 50, { log: () => undefined });
    let step0 = 0;
    const withRun = { log: (m, o) => run.log(m, { step: step0 + o.step }) };
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        without.push(await trainingRound(work, n, steps, null));
        withLog.push(await trainingRound(work, n, steps, withRun));
      } else {
        withLog.push(await trainingRound(work, n, steps, withRun));
        without.push(await trainingRound(work, n, steps, null));
      }
      step0 += steps;
    }
    const pacedRun = await client.startRun({ experiment: 'bench-sdk', name: 'paced' });
    const paced = { with: { process_ms: 0, main_ms: 0 }, without: { process_ms: 0, main_ms: 0 } };
    for (let r = 0; r < 2; r++) {
      for (const variant of r === 0 ? ['without', 'with'] : ['with', 'without']) {
        const x = await pacedSeconds(variant === 'with' ? pacedRun : null, PACED_S);
        paced[variant].process_ms += x.process_ms;
        paced[variant].main_ms += x.main_ms;
      }
    }
    const pacedReport = await pacedRun.finish({ timeoutMs: 60_000 });
    const pacedSecondsTotal = 2 * PACED_S;
    const report = await run.finish({ timeoutMs: 60_000 });
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const wall = (xs) => xs.map((x) => x.wall);
    const cpu = (xs) => xs.map((x) => x.cpu);
    const main = (xs) => xs.map((x) => x.main);
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);
    const stats = client.stats();
    await client.close({ timeoutMs: 10_000 });
    const result = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      log_cost: tight,
      sdk_cpu_at_100_steps_per_s: {
        seconds: pacedSecondsTotal,
        points_per_s: STEPS_PER_S * METRICS_PER_STEP,
        // ms of CPU per second of training spent by the SDK = % overhead on a loop that keeps one core busy
        main_thread_ms_per_s: (paced.with.main_ms - paced.without.main_ms) / pacedSecondsTotal,
        process_ms_per_s: (paced.with.process_ms - paced.without.process_ms) / pacedSecondsTotal,
        overhead_main_thread_pct: ((paced.with.main_ms - paced.without.main_ms) / pacedSecondsTotal / 1000) * 100,
        overhead_process_pct: ((paced.with.process_ms - paced.without.process_ms) / pacedSecondsTotal / 1000) * 100,
        delivered_complete: pacedReport.complete,
      },
      training_loop: {
        steps_per_round: steps,
        metrics_per_step: METRICS_PER_STEP,
        rounds: ROUNDS,
        median_wall_ms_without: median(wall(without)),
        median_wall_ms_with: median(wall(withLog)),
        overhead_wall_pct: (median(wall(withLog)) / median(wall(without)) - 1) * 100,
        // The target's measure: CPU of the loop's own thread, summed over all rounds (ns-resolution schedstat).
        main_thread_cpu_ms_without: sum(main(without)),
        main_thread_cpu_ms_with: sum(main(withLog)),
        overhead_main_thread_pct: (sum(main(withLog)) / sum(main(without)) - 1) * 100,
        overhead_main_thread_median_pct: (median(main(withLog)) / median(main(without)) - 1) * 100,
        rounds_main_ms_without: main(without).map(Math.round),
        rounds_main_ms_with: main(withLog).map(Math.round),
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
