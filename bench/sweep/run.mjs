// End-to-end sweep benchmark: SDK → ingest gateway → Kafka → both projectors → Postgres / ClickHouse → query API.
//
// Starts its own services from the built dist (gateway, projector --projection postgres and clickhouse, query API, as
// scripts/start.sh runs them, TRACKSTREAM_AUTH=off) on free ports, with their own topic, Postgres schema and
// ClickHouse database on the shared stack, and stops only those processes at the end. Two scenarios:
//   sweep  N runs (--runs) fired concurrently through the SDK, each --params params and --steps steps of --metrics
//          keys, at --rate points/s or as fast as the SDK drains (rate 0). Measures the time until every point is
//          visible in Postgres (and through the query API) and in ClickHouse.
//   burst  a steady --burst-rate for --steady s, then --burst-factor× for --burst s, then steady again until the lag
//          is back to its steady level (at most --after s); runs are started as needed (--burst-concurrency in flight).
// Sampled every --sample-ms: Kafka end offsets vs each projector's checkpoints (lag), points visible in Postgres
// (sum of latest_metrics.count) and ClickHouse (count of metric_points), the gateway's /metrics (statuses), the
// SDK clients' backlog, RSS of every process. After each scenario: an exact completeness check per run.
// Results: bench/results/<timestamp>.json, .md and .png. Exit status 1 on loss, duplication or a failed request.
//
// Usage: npm run bench [-- --runs 1000 --steps 300 --metrics 10 --rate 0 --burst 20 --burst-rate 20000 …]
//        (--help lists every option)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import {
  ROOT, sleep, stackEndpoints, waitReady, scrape, spawnService, procMemory, procCpuSeconds, stackCpuSeconds, machineCpuSeconds, markdownTable, fmt,
  rateSchedule, drainSeconds, ratesOf, countByLabel, histogramQuantile, percentile, checkCompleteness,
} from '../lib/common.mjs';
import { chartSvg, writePng } from '../lib/plot.mjs';
import { runSweep, instrumentTransport } from './generator.mjs';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');
const { Pool } = require('pg');
const { createClient } = require('@clickhouse/client');
const { Trackstream, HttpTransport } = require(path.join(ROOT, 'packages/sdk/dist/index.js'));
const { freePort, uniqueName, withDatabase } = require('@trackstream/testkit');
const { sql, qualified, checkpointsQuery } = require('@trackstream/clickhouse');

const OPTIONS = {
  runs: { type: 'string', default: '100', help: 'runs in the sweep scenario' },
  steps: { type: 'string', default: '100', help: 'steps per run' },
  metrics: { type: 'string', default: '10', help: 'metric keys logged per step' },
  params: { type: 'string', default: '5', help: 'params per run' },
  concurrency: { type: 'string', default: '0', help: 'sweep runs in flight at once (0 = all of them)' },
  clients: { type: 'string', default: '8', help: 'SDK clients (the sweep workers) sharing the runs' },
  rate: { type: 'string', default: '0', help: 'sweep: target metric points/s (0 = as fast as the pipeline acknowledges)' },
  window: { type: 'string', default: '500000', help: 'with --rate 0: most points logged but not yet acknowledged by the gateway' },
  burst: { type: 'string', default: '10', help: 'burst scenario: seconds at the burst rate (0 = no burst scenario)' },
  'burst-rate': { type: 'string', default: '0', help: 'burst scenario steady points/s (0 = 25% of the sweep\'s end-to-end rate)' },
  'burst-factor': { type: 'string', default: '10', help: 'burst multiplier' },
  steady: { type: 'string', default: '10', help: 'burst scenario: seconds at steady rate before the burst' },
  after: { type: 'string', default: '60', help: 'burst scenario: at most this many seconds at steady rate after the burst' },
  'burst-concurrency': { type: 'string', default: '200', help: 'burst scenario: runs in flight' },
  'sample-ms': { type: 'string', default: '500', help: 'sampling interval' },
  'projector-node-args': { type: 'string', default: '', help: 'node flags for both projector processes (e.g. --max-semi-space-size=32)' },
  profile: { type: 'string', default: '', help: 'comma list of gateway,projector-postgres,projector-clickhouse,query-api to run with --cpu-prof (bench/results/tmp/)' },
  out: { type: 'string', default: 'bench/results', help: 'results directory' },
  keep: { type: 'boolean', default: false, help: 'keep the topic, schema and database afterwards' },
  help: { type: 'boolean', default: false },
};
const { values: argv } = parseArgs({ options: Object.fromEntries(Object.entries(OPTIONS).map(([k, v]) => [k, { type: v.type, default: v.default }])), strict: true });
if (argv.help) {
  console.log('npm run bench -- [options]\n' + Object.entries(OPTIONS).filter(([k]) => k !== 'help').map(([k, v]) => `  --${k.padEnd(18)} ${v.help} (default ${v.default})`).join('\n'));
  process.exit(0);
}
const num = (k) => {
  const n = Number(argv[k]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} must be a non-negative number, got ${argv[k]}`);
  return n;
};
const opt = {
  runs: num('runs'), steps: num('steps'), metrics: num('metrics'), params: num('params'), clients: Math.max(1, num('clients')),
  rate: num('rate'), burstS: num('burst'), burstRate: num('burst-rate'), burstFactor: num('burst-factor'), steadyS: num('steady'),
  afterS: num('after'), window: Math.max(1000, num('window')), burstConcurrency: Math.max(1, num('burst-concurrency')), sampleMs: Math.max(50, num('sample-ms')),
};
opt.concurrency = num('concurrency') || opt.runs;
const profiled = new Set(argv.profile.split(',').filter(Boolean));

const ENDPOINTS = stackEndpoints();
const STAMP = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
const OUT = path.resolve(ROOT, argv.out);
const TMP = path.join(ROOT, 'bench/results/tmp', `sweep-${STAMP}`);
fs.mkdirSync(TMP, { recursive: true });
fs.mkdirSync(OUT, { recursive: true });
const say = (...a) => process.stdout.write(a.join(' ') + '\n');

const names = { topic: uniqueName('bench_sweep') };
names.dlq = `${names.topic}_dlq`;
names.pgSchema = names.topic;
names.chDatabase = names.topic;
const kafka = new Kafka({ clientId: 'bench-sweep', brokers: ENDPOINTS.brokers.split(','), logLevel: logLevel.NOTHING });
const kadmin = kafka.admin();
const pg = new Pool({ connectionString: ENDPOINTS.pgUrl, max: 2 });
const ch = createClient({ url: withDatabase(ENDPOINTS.clickhouseUrl, 'default') });
const chQuery = async (fragment) => (await (await ch.query({ query: fragment.text, format: 'JSONEachRow' })).json());
const S = `"${names.pgSchema}"`;

const services = [];
const benchStart = performance.now();
const tNow = () => performance.now() - benchStart; // ms since the bench started
let failed = [];

async function setup() {
  await kadmin.connect();
  await kadmin.createTopics({ topics: [{ topic: names.topic, numPartitions: 12, replicationFactor: 1 }], waitForLeaders: true });
  await pg.query(`CREATE SCHEMA ${S}`);
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${names.chDatabase}` });
  const ports = { gateway: await freePort(), pg: await freePort(), ch: await freePort(), query: await freePort() };
  const common = {
    TRACKSTREAM_KAFKA_BROKERS: ENDPOINTS.brokers,
    TRACKSTREAM_PG_URL: ENDPOINTS.pgUrl,
    TRACKSTREAM_PG_SCHEMA: names.pgSchema,
    TRACKSTREAM_CLICKHOUSE_URL: withDatabase(ENDPOINTS.clickhouseUrl, names.chDatabase),
    TRACKSTREAM_EVENTS_TOPIC: names.topic,
    TRACKSTREAM_DLQ_TOPIC: names.dlq,
    // warn unless the caller asks for more (debug shows each projector batch: records, points, offsets).
    TRACKSTREAM_LOG_LEVEL: process.env.TRACKSTREAM_LOG_LEVEL ?? 'warn',
    // Local single-user mode: the bench measures the pipeline, not token checks.
    TRACKSTREAM_AUTH: 'off',
  };
  const nodeArgs = (name, base = []) => [...base, ...(profiled.has(name) ? ['--cpu-prof', '--cpu-prof-dir', TMP] : [])];
  const log = (name) => path.join(TMP, `${name}.log`);
  const projectorArgs = argv['projector-node-args'].split(' ').filter(Boolean);
  const specs = [
    ['gateway', 'services/ingest-gateway/dist/main.js', [], { TRACKSTREAM_GATEWAY_PORT: String(ports.gateway), TRACKSTREAM_GATEWAY_HOST: '127.0.0.1' }, ['--max-semi-space-size=32'], ports.gateway, '/readyz'],
    ['projector-postgres', 'services/projector/dist/main.js', ['--projection', 'postgres'], { TRACKSTREAM_PROJECTOR_PORT: String(ports.pg), TRACKSTREAM_PROJECTOR_GROUP_ID: `${names.topic}-pg` }, projectorArgs, ports.pg, '/healthz'],
    ['projector-clickhouse', 'services/projector/dist/main.js', ['--projection', 'clickhouse'], { TRACKSTREAM_PROJECTOR_PORT: String(ports.ch), TRACKSTREAM_PROJECTOR_GROUP_ID: `${names.topic}-ch` }, projectorArgs, ports.ch, '/healthz'],
    ['query-api', 'services/query-api/dist/main.js', [], { TRACKSTREAM_QUERY_PORT: String(ports.query), TRACKSTREAM_QUERY_HOST: '127.0.0.1' }, [], ports.query, '/healthz'],
  ];
  for (const [name, main, args, env, base, port, urlPath] of specs) {
    const s = spawnService(name, main, args, { ...common, ...env }, { logFile: log(name), nodeArgs: nodeArgs(name, base) });
    s.port = port;
    services.push(s);
  }
  for (const s of services) await waitReady(s.port, { child: s.child, urlPath: s.name === 'gateway' ? '/readyz' : '/healthz', name: `${s.name} (log ${s.logFile})`, timeoutMs: 60_000 });
  // The projectors create their tables at start; the sampler reads them from the first sample on.
  for (const until = Date.now() + 60_000; ; await sleep(200)) {
    const [pgReady] = (await pg.query(`SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ok`, [`${S}.projector_checkpoints`, `${S}.latest_metrics`])).rows;
    const [chReady] = await chQuery(sql`SELECT count() AS n FROM system.tables WHERE database = ${names.chDatabase} AND name IN ('checkpoints', 'metric_points')`);
    if (pgReady.ok && Number(chReady.n) === 2) break;
    if (Date.now() > until) throw new Error('the projectors did not create their tables within 60 s');
  }
  return ports;
}

// ---- sampling -------------------------------------------------------------------------------------------------
const samples = [];
const transportStats = { ackMs: [], outcomes: {}, ackedPoints: 0 };
const progress = { logged: 0, runsStarted: 0, runsFinished: 0 };
let clients = [];
let scenarioLabel = 'setup';

async function endOffsets() {
  return new Map((await kadmin.fetchTopicOffsets(names.topic)).map((p) => [p.partition, Number(p.high)]));
}
async function pgCheckpoints() {
  const { rows } = await pg.query(`SELECT partition, next_offset FROM ${S}.projector_checkpoints WHERE topic = $1`, [names.topic]).catch(() => ({ rows: [] }));
  return new Map(rows.map((r) => [Number(r.partition), Number(r.next_offset)]));
}
async function chCheckpoints() {
  const rows = await chQuery(checkpointsQuery(names.chDatabase, names.topic)).catch(() => []);
  return new Map(rows.map((r) => [Number(r.partition), Number(r.next_offset)]));
}
const lagOf = (ends, cps) => [...ends].reduce((a, [p, high]) => a + Math.max(0, high - (cps.get(p) ?? 0)), 0);
const caughtUp = (ends, cps) => [...ends].every(([p, high]) => (cps.get(p) ?? 0) >= high);

async function visiblePoints() {
  const [pgRow] = (await pg.query(`SELECT coalesce(sum(count), 0)::bigint AS n FROM ${S}.latest_metrics`).catch(() => ({ rows: [{ n: NaN }] }))).rows;
  const [chRow] = await chQuery(sql`SELECT count() AS n FROM ${qualified(names.chDatabase, 'metric_points')}`).catch(() => [{ n: NaN }]);
  return { pg: Number(pgRow.n), ch: Number(chRow.n) };
}

async function takeSample() {
  const t = tNow();
  const [ends, pgc, chc, visible, gw] = await Promise.all([endOffsets(), pgCheckpoints(), chCheckpoints(), visiblePoints(), scrape(services[0].port).catch(() => null)]);
  const statuses = gw ? countByLabel(new Map(), gw, 'trackstream_gateway_request_duration_seconds_count{', 'status', 'route="/v1/events"') : {};
  const mem = Object.fromEntries([...services.map((s) => [s.name, procMemory(s.pid)?.rssMiB ?? null]), ['bench (SDK + generator)', procMemory(process.pid)?.rssMiB ?? null]]);
  const sdkQueued = clients.reduce((a, c) => a + c.stats().queuedEvents, 0);
  const sdkSpooled = clients.reduce((a, c) => a + c.stats().spooledEvents, 0);
  const s = {
    t: Math.round(t), scenario: scenarioLabel, logged: progress.logged, acked: transportStats.ackedPoints, kafkaEnd: [...ends.values()].reduce((a, b) => a + b, 0),
    lags: { 'projector-postgres': lagOf(ends, pgc), 'projector-clickhouse': lagOf(ends, chc), 'sdk backlog': sdkQueued },
    sdkSpooled, visiblePg: visible.pg, visibleCh: visible.ch, statuses, rssMiB: mem, loadavg: +os.loadavg()[0].toFixed(2),
  };
  samples.push(s);
  return s;
}

let sampling = true;
async function sampler() {
  while (sampling) {
    const started = performance.now();
    await takeSample().catch((err) => say(`sample failed: ${err.message}`));
    await sleep(Math.max(0, opt.sampleMs - (performance.now() - started)));
  }
}

// ---- scenarios ------------------------------------------------------------------------------------------------
function makeClients(gatewayUrl, n) {
  return Array.from({ length: n }, (_, i) => {
    const spoolDir = path.join(TMP, `spool-${i}`);
    fs.mkdirSync(spoolDir, { recursive: true });
    const inner = new HttpTransport({ url: gatewayUrl, compression: 'gzip', requestTimeoutMs: 30_000, principal: 'sweep-bot' });
    return new Trackstream({
      url: gatewayUrl, project: 'bench', principal: 'sweep-bot', spoolDir, transport: instrumentTransport(inner, transportStats),
      exitHooks: false, recoverSpools: false, captureContext: false, finishTimeoutMs: 600_000,
    });
  });
}

const cpuOf = () => {
  const stack = stackCpuSeconds();
  const m = machineCpuSeconds();
  return Object.fromEntries([
    ...services.map((s) => [s.name, procCpuSeconds(s.pid)]), ['bench (SDK + generator)', procCpuSeconds(process.pid)],
    ['kafka (shared)', stack.kafka], ['postgres (shared)', stack.postgres], ['clickhouse (shared)', stack.clickhouse],
    ['whole machine (busy)', m.busy], ['whole machine (available)', m.total],
  ]);
};
const diffCpu = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] === null || a[k] === null ? null : +(b[k] - a[k]).toFixed(1)]));

/** Polls (100 ms) until both projectors' checkpoints reach `ends`; returns when each got there (ms since bench start). */
async function waitVisible(ends, timeoutMs = 600_000) {
  const until = Date.now() + timeoutMs;
  const at = { pg: null, ch: null };
  while (Date.now() < until && (at.pg === null || at.ch === null)) {
    const [pgc, chc] = await Promise.all([pgCheckpoints(), chCheckpoints()]);
    const t = tNow();
    if (at.pg === null && caughtUp(ends, pgc)) at.pg = t;
    if (at.ch === null && caughtUp(ends, chc)) at.ch = t;
    if (at.pg === null || at.ch === null) await sleep(100);
  }
  return at;
}

/** Every run of the experiment through the query API (search, paged), checked against what was sent. */
async function queryApiCheck(port, experimentId, expected) {
  let token = null;
  let runs = 0;
  let mismatched = 0;
  let requests = 0;
  const seen = new Set();
  do {
    const res = await fetch(`http://127.0.0.1:${port}/v1/runs/search`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_ids: [experimentId], filter: "attributes.status = 'FINISHED'", max_results: 1000, ...(token ? { page_token: token } : {}) }),
    });
    requests++;
    if (res.status !== 200) throw new Error(`query API search: ${res.status} ${await res.text()}`);
    const body = await res.json();
    for (const r of body.runs) {
      runs++;
      if (seen.has(r.run_id)) mismatched++;
      seen.add(r.run_id);
      const e = expected.get(r.run_id);
      const points = Object.values(r.metrics ?? {}).reduce((a, m) => a + Number(m.count), 0);
      if (!e || points !== e.points || Object.keys(r.params ?? {}).length !== e.params) mismatched++;
    }
    token = body.next_page_token;
  } while (token);
  return { runs, mismatched, requests, ok: runs === expected.size && mismatched === 0 };
}

async function completeness(experimentId, expected) {
  const pgRuns = await pg.query(
    `SELECT r.run_id, r.status,
            (SELECT count(*) FROM ${S}.params p WHERE p.run_id = r.run_id)::int AS params,
            (SELECT count(*) FROM ${S}.param_conflicts c WHERE c.run_id = r.run_id)::int AS conflicts,
            (SELECT count(*) FROM ${S}.latest_metrics m WHERE m.run_id = r.run_id)::int AS keys,
            (SELECT coalesce(sum(count), 0) FROM ${S}.latest_metrics m WHERE m.run_id = r.run_id)::bigint AS points
       FROM ${S}.runs r WHERE r.experiment_id = $1`,
    [experimentId],
  );
  const pgMap = new Map(pgRuns.rows.map((r) => [r.run_id, { status: r.status, params: r.params, keys: r.keys, points: Number(r.points), conflicts: r.conflicts }]));
  const pts = qualified(names.chDatabase, 'metric_points');
  const evs = qualified(names.chDatabase, 'events');
  const chPoints = await chQuery(sql`SELECT run_id, count() AS n, uniqExact(key, step) AS d FROM ${pts} FINAL WHERE experiment_id = ${experimentId} GROUP BY run_id`);
  const chEvents = await chQuery(sql`SELECT run_id, count() AS n, uniqExact(event_id) AS d FROM ${evs} FINAL WHERE experiment_id = ${experimentId} AND isNotNull(run_id) GROUP BY run_id`);
  const chMap = new Map();
  const get = (id) => chMap.get(id) ?? chMap.set(id, { points: 0, distinctPoints: 0, events: 0, distinctEvents: 0 }).get(id);
  for (const r of chPoints) Object.assign(get(r.run_id), { points: Number(r.n), distinctPoints: Number(r.d) });
  for (const r of chEvents) Object.assign(get(r.run_id), { events: Number(r.n), distinctEvents: Number(r.d) });
  const [expPg] = (await pg.query(`SELECT count(*)::int AS n FROM ${S}.experiments WHERE experiment_id = $1`, [experimentId])).rows;
  const [expCh] = await chQuery(sql`SELECT count() AS n, uniqExact(event_id) AS d FROM ${evs} FINAL WHERE experiment_id = ${experimentId} AND isNull(run_id)`);
  // Raw rows (no FINAL): a projector redelivery after a crash would show here and be collapsed by FINAL.
  const [raw] = await chQuery(sql`SELECT count() AS n FROM ${pts} WHERE experiment_id = ${experimentId}`);
  const result = checkCompleteness(expected, { pg: pgMap, ch: chMap }, { expected: 1, pg: expPg.n, chRows: Number(expCh.n), chDistinct: Number(expCh.d) });
  result.clickhouseRawPointRows = Number(raw.n);
  return result;
}

function summarizeRequests(before, after) {
  const gwStatuses = countByLabel(before.gw, after.gw, 'trackstream_gateway_request_duration_seconds_count{', 'status', 'route="/v1/events"');
  const outcomes = {};
  for (const [k, v] of Object.entries(after.outcomes)) if (v - (before.outcomes[k] ?? 0) > 0) outcomes[k] = v - (before.outcomes[k] ?? 0);
  const ack = transportStats.ackMs.slice(before.ackIndex).sort((a, b) => a - b);
  return {
    gatewayStatuses: gwStatuses,
    clientOutcomes: outcomes,
    clientAckMs: { requests: ack.length, p50: +percentile(ack, 50).toFixed(1), p99: +percentile(ack, 99).toFixed(1), max: +(ack.at(-1) ?? NaN).toFixed(1) },
    gatewayAckMs: {
      p50: histogramQuantile(before.gw, after.gw, 'trackstream_gateway_request_duration_seconds', 'route="/v1/events",method="POST",status="202"', 0.5),
      p99: histogramQuantile(before.gw, after.gw, 'trackstream_gateway_request_duration_seconds', 'route="/v1/events",method="POST",status="202"', 0.99),
    },
    rejected: countByLabel(before.gw, after.gw, 'trackstream_gateway_rejected_total', 'code'),
  };
}
const requestMark = async () => ({ gw: await scrape(services[0].port), outcomes: { ...transportStats.outcomes }, ackIndex: transportStats.ackMs.length });

/** Runs one sweep; `onStart(t)` gets its time origin (ms since the bench started) before the first run starts. */
async function scenario(label, sweepOpts, onStart = () => undefined) {
  scenarioLabel = label;
  const cpu0 = cpuOf();
  const mark = await requestMark();
  const startedAt = performance.now();
  const t0 = startedAt - benchStart;
  onStart(t0);
  const r = await runSweep({ clients, window: opt.window, ackedPoints: () => transportStats.ackedPoints, ...sweepOpts, startedAt }, progress);
  const sentAt = tNow();
  const ends = await endOffsets();
  const at = await waitVisible(ends);
  const apiStart = tNow();
  let api = await queryApiCheck(services[3].port, r.experimentId, r.expected);
  for (let i = 0; !api.ok && i < 20; i++) {
    await sleep(500);
    api = await queryApiCheck(services[3].port, r.experimentId, r.expected);
  }
  const apiAt = tNow();
  const after = await requestMark();
  const cpu = diffCpu(cpu0, cpuOf());
  const check = await completeness(r.experimentId, r.expected);
  const points = [...r.expected.values()].reduce((a, e) => a + e.points, 0);
  const events = [...r.expected.values()].reduce((a, e) => a + (e.events ?? 0), 0) + clients.length; // + each client's experiment_created
  const first = r.firstLogAt - benchStart;
  const secs = (t) => (t === null ? null : (t - first) / 1000);
  const sdk = {
    runs: r.expected.size,
    incompleteRuns: r.reports.filter((x) => !x.complete).length,
    unsentEvents: r.reports.reduce((a, x) => a + x.unsentEvents, 0),
    rejectedEvents: r.reports.reduce((a, x) => a + x.rejectedEvents, 0),
    sentEvents: events,
  };
  return {
    label, experimentId: r.experimentId, startedAtS: t0 / 1000, firstLogAtS: first / 1000, lastLogAtS: (r.lastLogAt - benchStart) / 1000,
    runs: r.expected.size, points, events, sdk,
    seconds: { logging: (r.lastLogAt - r.firstLogAt) / 1000, allAcked: secs(sentAt), visiblePostgres: secs(at.pg), visibleClickHouse: secs(at.ch), visibleQueryApi: secs(apiAt), queryApiCheck: (apiAt - apiStart) / 1000 },
    rates: {
      loggedPointsPerS: points / ((r.lastLogAt - r.firstLogAt) / 1000),
      ackedPointsPerS: points / secs(sentAt),
      e2ePostgresPointsPerS: at.pg === null ? null : points / secs(at.pg),
      e2eClickHousePointsPerS: at.ch === null ? null : points / secs(at.ch),
      e2eQueryApiPointsPerS: points / secs(apiAt),
      e2eEventsPerS: at.pg === null || at.ch === null ? null : events / secs(Math.max(at.pg, at.ch)),
    },
    queryApi: api,
    requests: summarizeRequests(mark, after),
    cpuSeconds: cpu,
    completeness: check,
  };
}

// ---- report ----------------------------------------------------------------------------------------------------
function plot(result, file) {
  const xs = (arr) => arr.map((p) => [p.t / 1000, p.v]);
  const series = (key) => samples.map((s) => ({ t: s.t, v: typeof key === 'function' ? key(s) : s[key] }));
  const burst = result.scenarios.burst;
  const shade = burst ? [burst.burstWindowS[0], burst.burstWindowS[1], `${opt.burstFactor}× burst`] : undefined;
  const statusKeys = [...new Set(samples.flatMap((s) => Object.keys(s.statuses)))].sort();
  const win = Math.max(1, Math.round(2000 / opt.sampleMs)); // 2 s moving average
  const rates = (key) => xs(ratesOf(series(key), win));
  const markers = Object.entries(result.scenarios).map(([label, sc]) => [sc.startedAtS, `${label} starts`]);
  const svg = chartSvg({
    title: `Trackstream end-to-end sweep — ${result.startedAt}`,
    subtitle: `${result.machine.cpus} vCPU, ${result.machine.memGiB} GiB, shared box; ${result.command}`,
    panels: [
      {
        title: 'Throughput (metric points/s, 2 s moving average)', yLabel: 'points/s', shade, markers,
        series: [
          { name: 'logged by the SDK', points: rates('logged') },
          { name: 'acknowledged by the gateway', points: rates('acked'), dashed: true },
          { name: 'visible in Postgres', points: rates('visiblePg') },
          { name: 'visible in ClickHouse', points: rates('visibleCh') },
        ],
      },
      {
        title: 'Lag (events): Kafka end offsets − projector checkpoints; SDK backlog', yLabel: 'events', shade, markers,
        series: [
          { name: 'projector-postgres', points: xs(series((s) => s.lags['projector-postgres'])) },
          { name: 'projector-clickhouse', points: xs(series((s) => s.lags['projector-clickhouse'])) },
          { name: 'SDK backlog (unacked)', points: xs(series((s) => s.lags['sdk backlog'])), dashed: true },
        ],
      },
      {
        title: 'Gateway answers to POST /v1/events (requests/s by status, 2 s moving average)', yLabel: 'requests/s', shade, markers,
        series: statusKeys.map((k) => ({ name: `HTTP ${k}`, color: { 202: '#2ca02c', 429: '#ff7f0e', 408: '#9467bd', 503: '#d62728' }[k] ?? (k.startsWith('5') ? '#8c564b' : '#7f7f7f'), points: rates((s) => s.statuses[k] ?? 0) })),
      },
    ],
  });
  writePng(svg, file);
}

function markdown(result) {
  const lines = [`# End-to-end sweep benchmark — ${result.startedAt}`, '', `Command: \`${result.command}\``, '',
    `Machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memGiB} GiB, node ${result.machine.node}; shared stack (Kafka, Postgres, ClickHouse) and other agents' work on the same box; load average ${result.machine.loadavgStart.join(' ')} at start, ${result.machine.loadavgEnd.join(' ')} at the end.`, '',
    '## Figures', '', result.table, '', '## Targets', '', markdownTable([['target', 'result', 'verdict'], ...result.targets.map((t) => [t.target, t.result, t.verdict])]), '',
    '## Completeness (exact, per run)', ''];
  for (const [label, sc] of Object.entries(result.scenarios)) {
    lines.push(`### ${label}: ${sc.completeness.ok ? 'OK — nothing lost, nothing doubled' : `FAILED — lost ${sc.completeness.lost}, duplicated ${sc.completeness.duplicated}`}`, '');
    lines.push(markdownTable([['check', 'expected', 'found'], ...Object.entries(sc.completeness.checks).map(([k, v]) => [k, fmt(v.expected), fmt(v.found)])]));
    lines.push('', `ClickHouse metric_points rows without FINAL: ${fmt(sc.completeness.clickhouseRawPointRows)}; query API: ${sc.queryApi.runs} runs FINISHED found by search, ${sc.queryApi.mismatched} mismatched.`);
    if (sc.completeness.problems.length) lines.push('', 'Problems:', '', ...sc.completeness.problems.map((p) => `- ${p}`));
    lines.push('');
  }
  const procRows = Object.keys(Object.values(result.scenarios)[0]?.cpuSeconds ?? {}).map((k) => [k, fmt(result.processes[k]?.peakMiB), ...Object.values(result.scenarios).map((sc) => fmt(sc.cpuSeconds[k], 1))]);
  lines.push('## Processes', '', 'CPU seconds over each scenario (from its start until everything was visible); the shared servers and the machine total include other users of the box.', '',
    markdownTable([['process', 'peak RSS MiB (VmHWM)', ...Object.keys(result.scenarios).map((k) => `CPU s (${k})`)], ...procRows]), '');
  if (result.failures.length) lines.push('## Failures', '', ...result.failures.map((f) => `- ${f}`), '');
  if (result.requestFailures.length) lines.push('Requests the SDK retried (the first 5 of each outcome):', '', ...result.requestFailures.map((f) => `- ${f.at} ${f.outcome} after ${f.ms} ms: ${f.reason}`), '');
  lines.push(`Plot: \`${path.basename(result.files.png)}\` (throughput, lag and gateway statuses over time).`, '');
  return lines.join('\n');
}

function table(result) {
  const rows = [['scenario', 'runs', 'points', 'events', 'SDK→acked s', '→Postgres s', '→ClickHouse s', '→query API s', 'e2e points/s (PG)', 'e2e points/s (CH)', 'e2e events/s', 'ack p50/p99 ms (client)', 'ack p50/p99 ms (gateway)', 'statuses (gateway)', 'client outcomes', 'loss/dup']];
  for (const [label, sc] of Object.entries(result.scenarios)) {
    const q = sc.requests;
    rows.push([label, fmt(sc.runs), fmt(sc.points), fmt(sc.events), fmt(sc.seconds.allAcked, 1), fmt(sc.seconds.visiblePostgres, 1), fmt(sc.seconds.visibleClickHouse, 1), fmt(sc.seconds.visibleQueryApi, 1),
      fmt(sc.rates.e2ePostgresPointsPerS), fmt(sc.rates.e2eClickHousePointsPerS), fmt(sc.rates.e2eEventsPerS),
      `${fmt(q.clientAckMs.p50, 1)} / ${fmt(q.clientAckMs.p99, 1)}`, `≤${q.gatewayAckMs.p50} / ≤${q.gatewayAckMs.p99}`,
      JSON.stringify(q.gatewayStatuses).replace(/"/g, ''), JSON.stringify(q.clientOutcomes).replace(/"/g, ''), `${sc.completeness.lost}/${sc.completeness.duplicated}`]);
  }
  let text = markdownTable(rows);
  const b = result.scenarios.burst;
  if (b) {
    text += `\n\nBurst: steady ${fmt(b.steadyRate)} points/s for ${b.steadyS} s, then ${opt.burstFactor}× (${fmt(b.steadyRate * opt.burstFactor)} points/s target) for ${b.burstS} s ` +
      `(offered: ${fmt(b.offered.steady)} / ${fmt(b.offered.burst)} / ${fmt(b.offered.after)} points/s before / during / after); ` +
      `max lag postgres ${fmt(b.maxLag['projector-postgres'])}, clickhouse ${fmt(b.maxLag['projector-clickhouse'])}, SDK backlog ${fmt(b.maxLag['sdk backlog'])} events (steady-level thresholds ${JSON.stringify(b.thresholds).replace(/"/g, '')}); ` +
      `drained after the burst ended: projections ${b.drainProjectionsS === null ? 'not within the run' : `${fmt(b.drainProjectionsS, 1)} s`}, end to end (incl. SDK backlog) ${b.drainEndToEndS === null ? 'not within the run' : `${fmt(b.drainEndToEndS, 1)} s`}; ` +
      `SDK spooled to disk at most ${fmt(b.maxSpooled)} events.`;
  }
  return text;
}

// ---- main ------------------------------------------------------------------------------------------------------
async function main() {
  const loadStart = os.loadavg().map((x) => +x.toFixed(2));
  say(`bench sweep: topic/schema/database ${names.topic}; logs in ${path.relative(ROOT, TMP)}`);
  const ports = await setup();
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  clients = makeClients(gatewayUrl, opt.clients);
  const samplerDone = sampler();
  const result = {
    startedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
    options: opt, names,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavgStart: loadStart },
    scenarios: {},
  };

  if (opt.runs > 0) {
    say(`sweep: ${opt.runs} runs × ${opt.steps} steps × ${opt.metrics} metrics (${fmt(opt.runs * opt.steps * opt.metrics)} points), ${opt.params} params, ${opt.concurrency} in flight, ${opt.clients} SDK clients, rate ${opt.rate || 'as fast as it goes'}`);
    const sc = await scenario('sweep', {
      experiment: `sweep-${names.topic}`, prefix: 'sweep', steps: opt.steps, metrics: opt.metrics, params: opt.params,
      concurrency: opt.concurrency, totalRuns: opt.runs, schedule: rateSchedule({ rate: opt.rate }),
    });
    result.scenarios.sweep = sc;
    say(`sweep: ${fmt(sc.points)} points visible in Postgres after ${fmt(sc.seconds.visiblePostgres, 1)} s, ClickHouse ${fmt(sc.seconds.visibleClickHouse, 1)} s → ${fmt(sc.rates.e2ePostgresPointsPerS)} / ${fmt(sc.rates.e2eClickHousePointsPerS)} points/s; completeness ${sc.completeness.ok ? 'OK' : 'FAILED'}`);
  }

  if (opt.burstS > 0) {
    const measured = result.scenarios.sweep ? Math.min(result.scenarios.sweep.rates.e2ePostgresPointsPerS ?? Infinity, result.scenarios.sweep.rates.e2eClickHousePointsPerS ?? Infinity) : NaN;
    const steadyRate = opt.burstRate || (Number.isFinite(measured) ? Math.round(measured / 4 / 1000) * 1000 : 10_000);
    const schedule = rateSchedule({ rate: steadyRate, factor: opt.burstFactor, burstStartS: opt.steadyS, burstS: opt.burstS });
    say(`burst: steady ${fmt(steadyRate)} points/s for ${opt.steadyS} s, ${opt.burstFactor}× for ${opt.burstS} s, then steady until drained (≤ ${opt.afterS} s)`);
    let origin = Infinity;
    let burstEnd = Infinity;
    let drainedAt = null;
    let thresholds = null;
    const shouldStop = () => {
      const t = tNow();
      if (t < burstEnd) return false;
      if (t >= burstEnd + opt.afterS * 1000) return true;
      thresholds ??= steadyThresholds(origin, origin + schedule.burstStartS * 1000);
      if (drainedAt === null) {
        const d = drainSeconds(samples.filter((s) => s.t >= burstEnd), burstEnd, thresholds);
        if (d !== null) drainedAt = burstEnd + d * 1000;
      }
      return drainedAt !== null && t >= drainedAt + 5000; // 5 s more at steady rate once back to normal
    };
    const sc = await scenario('burst', {
      experiment: `burst-${names.topic}`, prefix: 'burst', steps: opt.steps, metrics: opt.metrics, params: opt.params,
      concurrency: opt.burstConcurrency, totalRuns: Infinity, schedule, shouldStop,
    }, (t) => {
      origin = t;
      burstEnd = origin + schedule.burstEndS * 1000;
    });
    thresholds ??= steadyThresholds(origin, origin + schedule.burstStartS * 1000);
    const after = samples.filter((s) => s.t >= burstEnd);
    const projOnly = { 'projector-postgres': thresholds['projector-postgres'], 'projector-clickhouse': thresholds['projector-clickhouse'] };
    const inWindow = (a, b) => samples.filter((s) => s.t >= a && s.t < b);
    const offered = (a, b) => {
      const w = inWindow(a, b);
      return w.length > 1 ? (w.at(-1).logged - w[0].logged) / ((w.at(-1).t - w[0].t) / 1000) : NaN;
    };
    const burstSamples = samples.filter((s) => s.scenario === 'burst');
    sc.steadyRate = steadyRate;
    sc.steadyS = opt.steadyS;
    sc.burstS = opt.burstS;
    sc.burstWindowS = [(origin + schedule.burstStartS * 1000) / 1000, burstEnd / 1000];
    sc.offered = { steady: offered(origin + 1000, origin + schedule.burstStartS * 1000), burst: offered(origin + schedule.burstStartS * 1000, burstEnd), after: offered(burstEnd, burstEnd + opt.afterS * 1000) };
    sc.thresholds = thresholds;
    sc.maxLag = Object.fromEntries(Object.keys(thresholds).map((k) => [k, Math.max(0, ...burstSamples.map((s) => s.lags[k]))]));
    sc.maxSpooled = Math.max(0, ...burstSamples.map((s) => s.sdkSpooled));
    sc.drainProjectionsS = drainSeconds(after, burstEnd, projOnly);
    sc.drainEndToEndS = drainSeconds(after, burstEnd, thresholds);
    result.scenarios.burst = sc;
    say(`burst: statuses ${JSON.stringify(sc.requests.gatewayStatuses)}, client outcomes ${JSON.stringify(sc.requests.clientOutcomes)}; drained ${fmt(sc.drainEndToEndS, 1)} s after the burst; completeness ${sc.completeness.ok ? 'OK' : 'FAILED'}`);
  }

  sampling = false;
  await samplerDone;
  result.processes = Object.fromEntries([...services.map((s) => [s.name, { peakMiB: procMemory(s.pid)?.peakMiB ?? null }]), ['bench (SDK + generator)', { peakMiB: procMemory(process.pid)?.peakMiB ?? null }]]);
  result.machine.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
  result.failures = failuresOf(result);
  result.targets = targetsOf(result);
  result.table = table(result);
  result.requestFailures = transportStats.failures ?? [];
  result.samples = samples;
  const base = path.join(OUT, STAMP);
  result.files = { json: `${base}.json`, md: `${base}.md`, png: `${base}.png` };
  plot(result, result.files.png);
  fs.writeFileSync(result.files.json, JSON.stringify(result, null, 1) + '\n');
  fs.writeFileSync(result.files.md, markdown(result));
  say('\n' + result.table + '\n');
  say(markdownTable([['target', 'result', 'verdict'], ...result.targets.map((t) => [t.target, t.result, t.verdict])]));
  for (const [label, sc] of Object.entries(result.scenarios)) {
    say(`\ncompleteness (${label}): ${sc.completeness.ok ? 'OK' : 'FAILED'} — lost ${sc.completeness.lost}, duplicated ${sc.completeness.duplicated}`);
    for (const [k, v] of Object.entries(sc.completeness.checks)) say(`  ${k.padEnd(40)} expected ${fmt(v.expected).padStart(12)}  found ${fmt(v.found).padStart(12)}${v.expected === v.found ? '' : '  ✗'}`);
    for (const p of sc.completeness.problems) say(`  ✗ ${p}`);
  }
  say(`\npeak RSS (MiB): ${Object.entries(result.processes).map(([k, v]) => `${k} ${fmt(v.peakMiB)}`).join(', ')}`);
  for (const [label, sc] of Object.entries(result.scenarios)) say(`CPU s (${label}): ${Object.entries(sc.cpuSeconds).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ')}`);
  for (const f of result.requestFailures) say(`request retried by the SDK: ${f.at} ${f.outcome} after ${f.ms} ms: ${f.reason}`);
  if (result.failures.length) say(`\nFAILURES:\n${result.failures.map((f) => `  - ${f}`).join('\n')}`);
  say(`\nresults: ${path.relative(ROOT, result.files.json)}, .md, .png`);
  failed = result.failures;
}

/** Per-lag thresholds for "back to normal": the maximum seen in the steady window (after its first 2 s), at least 100. */
function steadyThresholds(fromMs, toMs) {
  const w = samples.filter((s) => s.t >= fromMs + 2000 && s.t < toMs);
  const keys = ['projector-postgres', 'projector-clickhouse', 'sdk backlog'];
  return Object.fromEntries(keys.map((k) => [k, Math.max(100, ...w.map((s) => s.lags[k]))]));
}

function failuresOf(result) {
  const out = [];
  for (const [label, sc] of Object.entries(result.scenarios)) {
    if (!sc.completeness.ok) out.push(`${label}: completeness — lost ${sc.completeness.lost}, duplicated ${sc.completeness.duplicated}`);
    if (!sc.queryApi.ok) out.push(`${label}: query API search found ${sc.queryApi.runs} runs (${sc.queryApi.mismatched} mismatched), expected ${sc.runs}`);
    if (sc.sdk.incompleteRuns > 0) out.push(`${label}: ${sc.sdk.incompleteRuns} run(s) not completely delivered by the SDK (${sc.sdk.unsentEvents} unsent, ${sc.sdk.rejectedEvents} rejected)`);
    const bad = Object.entries(sc.requests.gatewayStatuses).filter(([s]) => s !== '202' && s !== '429');
    const badClient = Object.entries(sc.requests.clientOutcomes).filter(([s]) => s !== '202' && s !== '429');
    if (bad.length) out.push(`${label}: gateway answered ${bad.map(([s, n]) => `${n}× ${s}`).join(', ')}`);
    if (badClient.length) out.push(`${label}: client saw ${badClient.map(([s, n]) => `${n}× ${s}`).join(', ')}`);
  }
  return out;
}

function targetsOf(result) {
  const out = [];
  const sw = result.scenarios.sweep;
  if (sw) {
    const ok = sw.completeness.ok && sw.queryApi.ok;
    out.push({ target: '1,000-run sweep, zero loss and zero duplicates', result: `${fmt(sw.runs)} runs: lost ${sw.completeness.lost}, duplicated ${sw.completeness.duplicated}`,
      verdict: sw.runs >= 1000 ? (ok ? 'met' : 'MISSED') : ok ? `met at ${sw.runs} runs (run --runs 1000 for the target size)` : 'MISSED' });
    const e2e = Math.min(sw.rates.e2ePostgresPointsPerS ?? 0, sw.rates.e2eClickHousePointsPerS ?? 0);
    out.push({ target: 'steady ≥ 100,000 metric points/s end to end (visible in Postgres and ClickHouse)', result: `${fmt(e2e)} points/s (slower of the two; ${(e2e / 100_000).toFixed(2)}× the target)`,
      verdict: e2e >= 100_000 ? 'met' : `MISSED by ${fmt(100_000 - e2e)} points/s (${(100 - e2e / 1000).toFixed(0)} %)` });
  }
  const b = result.scenarios.burst;
  if (b) {
    const statuses = Object.keys({ ...b.requests.gatewayStatuses, ...b.requests.clientOutcomes });
    const onlyOk = statuses.every((s) => s === '202' || s === '429');
    out.push({ target: `${opt.burstFactor}× burst: only 202/429 from the gateway`, result: `gateway ${JSON.stringify(b.requests.gatewayStatuses)}, client ${JSON.stringify(b.requests.clientOutcomes)}`.replace(/"/g, ''), verdict: onlyOk ? 'met' : 'MISSED' });
    const d = b.drainEndToEndS;
    out.push({ target: 'lag drains < 60 s after the burst', result: d === null ? 'did not drain within the run' : `${fmt(d, 1)} s end to end (projections alone ${fmt(b.drainProjectionsS, 1)} s)`, verdict: d !== null && d < 60 ? 'met' : 'MISSED' });
  }
  return out;
}

async function cleanup() {
  sampling = false;
  for (const c of clients) await c.close({ timeoutMs: 1000 }).catch(() => undefined);
  for (const s of [...services].reverse()) await s.stop().catch(() => undefined);
  if (!argv.keep) {
    await pg.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`).catch(() => undefined);
    await ch.command({ query: `DROP DATABASE IF EXISTS ${names.chDatabase}` }).catch(() => undefined);
    const existing = await kadmin.listTopics().catch(() => []);
    await kadmin.deleteTopics({ topics: [names.topic, names.dlq].filter((t) => existing.includes(t)) }).catch(() => undefined);
  }
  await kadmin.disconnect().catch(() => undefined);
  await pg.end().catch(() => undefined);
  await ch.close().catch(() => undefined);
  const profiles = fs.readdirSync(TMP).filter((f) => f.endsWith('.cpuprofile'));
  if (profiles.length) say(`CPU profiles: ${profiles.map((f) => path.relative(ROOT, path.join(TMP, f))).join(', ')} (node bench/lib/cpuprofile.mjs <file> summarises one)`);
}

// A closed stdout (e.g. piped into head) or a signal must not leave the services running.
process.stdout.on('error', () => undefined);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    process.stderr.write(`${sig}: stopping the services and removing the bench resources\n`);
    cleanup().finally(() => process.exit(130));
  });
}

let code = 0;
try {
  await main();
  if (failed.length) code = 1;
} catch (err) {
  process.stderr.write(`${err.stack ?? err}\n`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
