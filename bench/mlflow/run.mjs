// `npm run bench:mlflow`: Trackstream's MLflow-compatible server side by side with MLflow's own `mlflow server`,
// both driven by the same workload (bench/mlflow/workload.py) through the real MLflow client from the project venv.
//
//   mlflow     `mlflow server` from the venv, its backend store on the shared Postgres in a fresh database of its own
//              (psycopg2-binary from requirements-dev.txt), artifacts in a temp dir, --mlflow-workers workers.
//   trackstream services/mlflow-server/dist/main.js with both projectors (services/projector/dist/main.js), on a
//              topic, Postgres schema and ClickHouse database of the bench's own (TRACKSTREAM_* variables), auth off.
// Per server: the write workload synchronously and with MLFLOW_ENABLE_ASYNC_LOGGING=true, log_batch of 1,000
// metrics one at a time, then --search-runs seeded runs and search_runs rounds. Everything it created is removed at
// the end. Results: bench/results/mlflow-<timestamp>.json and .md.
//
// Usage: npm run bench:mlflow [-- --runs 100 --batches 5 --metrics 100 --workers 4 --search-runs 1000 …] (--help)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { ROOT, sleep, stackEndpoints, spawnService, markdownTable, fmt } from '../lib/common.mjs';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');
const { Pool } = require('pg');
const { createClient } = require('@clickhouse/client');
const { freePort, uniqueName, withDatabase } = require('@trackstream/testkit');

const OPTIONS = {
  runs: { type: 'string', default: '100', help: 'runs of the write workload' },
  batches: { type: 'string', default: '5', help: 'log_batch calls per run' },
  metrics: { type: 'string', default: '100', help: 'metrics per log_batch' },
  workers: { type: 'string', default: '4', help: 'concurrent client threads' },
  'batch-iterations': { type: 'string', default: '30', help: 'log_batch calls of 1,000 metrics' },
  'search-runs': { type: 'string', default: '1000', help: 'runs seeded for search_runs (the issue asks 10,000: --search-runs 10000)' },
  'seed-workers': { type: 'string', default: '16', help: 'client threads seeding the search runs' },
  'search-iterations': { type: 'string', default: '20', help: 'rounds of the search shapes' },
  'mlflow-workers': { type: 'string', default: '2', help: "`mlflow server --workers`" },
  'ch-fetch-min-bytes': { type: 'string', default: '', help: "the ClickHouse projector's TRACKSTREAM_PROJECTOR_FETCH_MIN_BYTES (its default, 4 MiB, makes it wait up to its 1 s fetch max-wait; empty: the default)" },
  only: { type: 'string', default: 'mlflow,trackstream', help: 'which servers' },
  out: { type: 'string', default: 'bench/results', help: 'where results go' },
  help: { type: 'boolean', default: false },
};
const { values: argv } = parseArgs({ options: Object.fromEntries(Object.entries(OPTIONS).map(([k, v]) => [k, { type: v.type, default: v.default }])) });
if (argv.help) {
  for (const [k, v] of Object.entries(OPTIONS)) if (v.help) process.stdout.write(`  --${k.padEnd(18)} ${v.help} (default ${v.default})\n`);
  process.exit(0);
}
const opt = Object.fromEntries(['runs', 'batches', 'metrics', 'workers', 'batch-iterations', 'search-runs', 'seed-workers', 'search-iterations', 'mlflow-workers'].map((k) => [k, Number(argv[k])]));
const ENDPOINTS = stackEndpoints();
const STAMP = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mlflow-'));
const say = (...a) => process.stdout.write(a.join(' ') + '\n');
const python = execFileSync('bash', [path.join(ROOT, 'scripts/python-env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const venvBin = path.dirname(python);

const names = { topic: uniqueName('bench_mlflow') };
names.dlq = `${names.topic}_dlq`;
names.mlflowDb = `${names.topic}_ref`;
const kafka = new Kafka({ clientId: 'bench-mlflow', brokers: ENDPOINTS.brokers.split(','), logLevel: logLevel.NOTHING });
const kadmin = kafka.admin();
const pg = new Pool({ connectionString: ENDPOINTS.pgUrl, max: 2 });
const ch = createClient({ url: withDatabase(ENDPOINTS.clickhouseUrl, 'default') });
const children = [];

async function httpOk(url) {
  return fetch(url).then((r) => r.ok, () => false);
}
async function waitHttp(url, child, name, timeoutMs = 120_000) {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(300)) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} (log ${TMP})`);
    if (await httpOk(url)) return;
  }
  throw new Error(`${name} not ready at ${url} (log ${TMP})`);
}

async function startMlflow() {
  await pg.query(`CREATE DATABASE "${names.mlflowDb}"`);
  const u = new URL(ENDPOINTS.pgUrl);
  u.protocol = 'postgresql+psycopg2:'; // SQLAlchemy's default Postgres driver is psycopg 3 now
  u.pathname = `/${names.mlflowDb}`;
  const port = await freePort();
  const out = fs.openSync(path.join(TMP, 'mlflow.log'), 'a');
  const child = spawn(path.join(venvBin, 'mlflow'), ['server', '--backend-store-uri', u.toString(), '--default-artifact-root', path.join(TMP, 'artifacts'),
    '--host', '127.0.0.1', '--port', String(port), '--workers', String(opt['mlflow-workers'])], { stdio: ['ignore', out, out], detached: true });
  const exited = new Promise((r) => child.once('exit', r));
  // detached: its own process group, so stopping it also stops its workers.
  children.push({ name: 'mlflow', stop: async () => { try { process.kill(-child.pid, 'SIGTERM'); } catch {} await Promise.race([exited, sleep(10_000)]); } });
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/health`, child, 'mlflow server');
  return url;
}

async function startTrackstream() {
  await kadmin.connect();
  await kadmin.createTopics({ topics: [{ topic: names.topic, numPartitions: 3, replicationFactor: 1 }, { topic: names.dlq, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await pg.query(`CREATE SCHEMA "${names.topic}"`);
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${names.topic}` });
  const common = {
    TRACKSTREAM_KAFKA_BROKERS: ENDPOINTS.brokers, TRACKSTREAM_PG_URL: ENDPOINTS.pgUrl, TRACKSTREAM_PG_SCHEMA: names.topic,
    TRACKSTREAM_CLICKHOUSE_URL: withDatabase(ENDPOINTS.clickhouseUrl, names.topic), TRACKSTREAM_EVENTS_TOPIC: names.topic,
    TRACKSTREAM_EVENTS_TOPIC_PARTITIONS: '3', TRACKSTREAM_DLQ_TOPIC: names.dlq, TRACKSTREAM_LOG_LEVEL: 'warn', TRACKSTREAM_AUTH: 'off',
  };
  const ports = { pg: await freePort(), ch: await freePort(), mlflow: await freePort() };
  for (const p of ['postgres', 'clickhouse']) {
    const port = p === 'postgres' ? ports.pg : ports.ch;
    const s = spawnService(`projector-${p}`, 'services/projector/dist/main.js', ['--projection', p],
      { ...common, TRACKSTREAM_PROJECTOR_PORT: String(port), TRACKSTREAM_PROJECTOR_GROUP_ID: `${names.topic}-${p}`,
        ...(p === 'clickhouse' && argv['ch-fetch-min-bytes'] ? { TRACKSTREAM_PROJECTOR_FETCH_MIN_BYTES: argv['ch-fetch-min-bytes'] } : {}) }, { logFile: path.join(TMP, `projector-${p}.log`) });
    children.push(s);
    await waitHttp(`http://127.0.0.1:${port}/healthz`, s.child, s.name);
  }
  const s = spawnService('mlflow-server', 'services/mlflow-server/dist/main.js', [],
    { ...common, TRACKSTREAM_MLFLOW_PORT: String(ports.mlflow), TRACKSTREAM_MLFLOW_HOST: '127.0.0.1' }, { logFile: path.join(TMP, 'mlflow-server.log') });
  children.push(s);
  const url = `http://127.0.0.1:${ports.mlflow}`;
  await waitHttp(`${url}/health`, s.child, s.name);
  return url;
}

function workload(url, phase, args, env = {}) {
  const r = execFileSync(python, [path.join(ROOT, 'bench/mlflow/workload.py'), '--phase', phase, ...args], {
    encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, MLFLOW_TRACKING_URI: url, MLFLOW_ENABLE_ASYNC_LOGGING: 'false', PYTHONDONTWRITEBYTECODE: '1', ...env },
  });
  return JSON.parse(r.trim().split('\n').at(-1));
}

async function measure(server, url) {
  const w = ['--runs', opt.runs, '--batches', opt.batches, '--metrics', opt.metrics, '--workers', opt.workers].map(String);
  const res = {};
  say(`${server}: write, synchronous`);
  res.sync = workload(url, 'write', ['--experiment', 'bench-sync', ...w]);
  say(`${server}: write, MLFLOW_ENABLE_ASYNC_LOGGING=true`);
  res.async = workload(url, 'write', ['--experiment', 'bench-async', ...w], { MLFLOW_ENABLE_ASYNC_LOGGING: 'true' });
  say(`${server}: log_batch of 1,000 metrics`);
  res.batch = workload(url, 'batch', ['--experiment', 'bench-batch', '--iterations', String(opt['batch-iterations'])]);
  say(`${server}: seeding ${opt['search-runs']} runs`);
  res.seed = workload(url, 'seed', ['--experiment', 'bench-search', '--runs', String(opt['search-runs']), '--workers', String(opt['seed-workers'])]);
  say(`${server}: search_runs`);
  res.search = workload(url, 'search', ['--experiment', 'bench-search', '--runs', String(opt['search-runs']), '--iterations', String(opt['search-iterations'])]);
  return res;
}

const figures = (r) => {
  const searchAll = Object.entries(r.search.calls).filter(([k]) => k !== 'all').map(([, v]) => v);
  return {
    'sync runs/s': r.sync.runs_per_s, 'sync points/s': r.sync.points_per_s, 'sync call p50 ms': r.sync.calls.all.p50_ms, 'sync call p99 ms': r.sync.calls.all.p99_ms,
    'async runs/s': r.async.runs_per_s, 'async points/s': r.async.points_per_s, 'async call p50 ms': r.async.calls.all.p50_ms, 'async call p99 ms': r.async.calls.all.p99_ms,
    'log_batch 1,000 p50 ms': r.batch.calls.log_batch_1000.p50_ms, 'search p50 ms': r.search.calls.all.p50_ms, 'search p95 ms': r.search.calls.all.p95_ms,
    'seed runs/s': r.seed.runs / r.seed.seconds, _shapes: searchAll.length,
  };
};

async function cleanup() {
  for (const c of [...children].reverse()) await c.stop().catch(() => undefined);
  await pg.query(`DROP SCHEMA IF EXISTS "${names.topic}" CASCADE`).catch(() => undefined);
  await pg.query(`DROP DATABASE IF EXISTS "${names.mlflowDb}" WITH (FORCE)`).catch(() => undefined);
  await ch.command({ query: `DROP DATABASE IF EXISTS ${names.topic}` }).catch(() => undefined);
  const existing = await kadmin.listTopics().catch(() => []);
  await kadmin.deleteTopics({ topics: [names.topic, names.dlq].filter((t) => existing.includes(t)) }).catch(() => undefined);
  await kadmin.disconnect().catch(() => undefined);
  await pg.end().catch(() => undefined);
  await ch.close().catch(() => undefined);
}

async function main() {
  const only = argv.only.split(',');
  const results = {};
  if (only.includes('mlflow')) results.mlflow = await measure('mlflow', await startMlflow());
  if (only.includes('trackstream')) results.trackstream = await measure('trackstream', await startTrackstream());
  const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const mlflowVersion = execFileSync(python, ['-c', 'import mlflow; print(mlflow.__version__)'], { encoding: 'utf8' }).trim();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, mlflow ${mlflowVersion}`;
  const f = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, figures(v)]));
  const rows = [['figure', ...Object.keys(f), ...(f.mlflow && f.trackstream ? ['trackstream / mlflow'] : [])]];
  for (const key of Object.keys(f.mlflow ?? f.trackstream).filter((k) => !k.startsWith('_'))) {
    const row = [key, ...Object.values(f).map((x) => fmt(x[key], key.includes('ms') ? 1 : 0))];
    if (f.mlflow && f.trackstream) row.push(`${fmt(f.trackstream[key] / f.mlflow[key], 2)}×`);
    rows.push(row);
  }
  const md = [
    `# bench:mlflow ${STAMP}`, '', `commit ${commit}; ${machine}`,
    `workload: ${opt.runs} runs × ${opt.batches} log_batch × ${opt.metrics} metrics, ${opt.workers} workers; log_batch 1,000 × ${opt['batch-iterations']}; ` +
      `search over ${opt['search-runs']} runs × ${opt['search-iterations']} rounds of ${f.mlflow?._shapes ?? f.trackstream._shapes} shapes (max_results 100); ` +
      `mlflow server --workers ${opt['mlflow-workers']} on Postgres; ClickHouse projector fetch min bytes ${argv['ch-fetch-min-bytes'] || 'default'}`, '', markdownTable(rows), '',
  ].join('\n');
  fs.mkdirSync(path.resolve(ROOT, argv.out), { recursive: true });
  const base = path.resolve(ROOT, argv.out, `mlflow-${STAMP}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify({ stamp: STAMP, commit, machine, options: opt, results }, null, 2));
  fs.writeFileSync(`${base}.md`, md);
  say(md);
  say(`results: ${path.relative(ROOT, base)}.json / .md`);
}

process.stdout.on('error', () => undefined);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => cleanup().finally(() => process.exit(130)));
let code = 0;
try {
  await main();
} catch (err) {
  process.stderr.write(`${err.stack ?? err}\n(logs in ${TMP})\n`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
