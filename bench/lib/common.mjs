// I/O helpers shared by the benchmarks: service processes, readiness, /metrics scrapes, /proc sampling, tables.
// The pure parts (parsing, quantiles, schedules, checks) are in ./stats.cjs, unit-tested.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMetrics } from './stats.cjs';

export * from './stats.cjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The shared stack's endpoints: TRACKSTREAM_* variables, else the local stack's defaults. */
export function stackEndpoints(env = process.env) {
  return {
    brokers: env.TRACKSTREAM_KAFKA_BROKERS ?? '127.0.0.1:9092',
    pgUrl: env.TRACKSTREAM_PG_URL ?? 'postgres://trackstream:trackstream@127.0.0.1:5432/trackstream',
    clickhouseUrl: env.TRACKSTREAM_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123/trackstream',
  };
}

function httpGet(port, urlPath) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      })
      .on('error', reject);
  });
}

/** Polls GET `urlPath` until 200; fails early if `child` exits. */
export async function waitReady(port, { child = null, urlPath = '/readyz', timeoutMs = 30_000, name = 'service' } = {}) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ok = await httpGet(port, urlPath).then((r) => r.status === 200, () => false);
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`${name} not ready on :${port}${urlPath} within ${timeoutMs / 1000} s`);
}

/** GET /metrics → Map name{labels} → value. */
export async function scrape(port) {
  const r = await httpGet(port, '/metrics');
  return parseMetrics(r.text);
}

/**
 * A built service (`main`, relative to the repo) as its own node process, output to `logFile`.
 * stop() sends SIGTERM (the services shut down cleanly on it, which also writes a --cpu-prof profile) and waits.
 */
export function spawnService(name, main, args, env, { logFile, nodeArgs = [] }) {
  const file = path.join(ROOT, main);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npx tsc -b\` first`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return {
    name,
    child,
    pid: child.pid,
    logFile,
    exited,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

/** VmRSS / VmHWM (peak RSS) of a process in MiB, from /proc; null when gone. */
export function procMemory(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** User + system CPU seconds of a process so far, from /proc/<pid>/stat; null when gone. */
export function procCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** Rows (first = header) → a markdown table. */
export function markdownTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(3, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) => '| ' + r.map((v, c) => String(v ?? '').padEnd(widths[c])).join(' | ') + ' |';
  return [line(rows[0]), '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |', ...rows.slice(1).map(line)].join('\n');
}

export const fmt = (n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n) ? 'n/a' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * CPU seconds so far of the shared stack's servers (every process of each: Postgres backends included), found by
 * name in /proc. The stack is shared with other users, so a difference over a scenario includes their load too.
 */
export function stackCpuSeconds() {
  const out = { kafka: 0, postgres: 0, clickhouse: 0 };
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      let name = null;
      if (comm === 'postgres') name = 'postgres';
      else if (comm.startsWith('clickhouse')) name = 'clickhouse';
      else if (comm === 'java' && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka')) name = 'kafka';
      if (name) out[name] += procCpuSeconds(pid) ?? 0;
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpuSeconds() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0) / 100;
  const idle = (f[3] + f[4]) / 100;
  return { busy: total - idle, total };
}
