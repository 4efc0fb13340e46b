// npm run bench:web — the web UI against the real query API over the stack's Postgres and ClickHouse (projections
// written by the real sinks). Measures: runs-page first data from the server (POST /v1/runs/search), time until the
// runs table is interactive in headless Chromium, live point → chart frame latency over SSE, and the query API's
// CPU with 100 idle open streams, and a run page of 10 charts × 10,000 points (from navigation, and a redraw of all
// ten). BENCH_RUNS (default 2000) runs in one experiment. Prints a markdown table.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { chromium } = require('playwright-core');
const { PostgresSink } = require(join(ROOT, 'packages/postgres/dist/index.js'));
const { ClickHouseSink } = require(join(ROOT, 'packages/clickhouse/dist/index.js'));
const { TestEvents, batchOf } = require(join(ROOT, 'packages/projection-core/dist/testing/index.js'));
const { createTestPgSchema, createTestClickHouseDatabase, endpointsFromEnv, uniqueName } = require(join(ROOT, 'packages/testkit/dist/index.js'));
const { createQueryApi } = require(join(ROOT, 'services/query-api/dist/index.js'));
const { createWebServer } = require(join(ROOT, 'services/web/dist/server/index.js'));

const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const TOPIC = uniqueName('bench-web');
const ev = new TestEvents('bench');
const pg = await createTestPgSchema('bweb');
const ch = await createTestClickHouseDatabase('bweb');
const pgSink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: pg.schema });
const chSink = new ClickHouseSink({ url: ch.url });
await pgSink.setup();
await chSink.setup();
let partition = 0;
const project = async (events) => {
  const b = batchOf(TOPIC, partition++, events);
  await pgSink.apply(b);
  await chSink.apply(b);
};
const events = [ev.experimentCreated('exp-bench', { name: 'bench' })];
for (let i = 0; i < RUNS; i++) {
  const run = `bench-run-${i}`;
  events.push(ev.runStarted('exp-bench', run, { run_name: `t-${i}` }), ev.paramsLogged('exp-bench', run, { lr: String(i / RUNS), depth: String(i % 7) }));
  events.push(ev.metricsLogged('exp-bench', run, [{ key: 'loss', value: 1 / (i + 1), step: 0 }]));
}
for (let i = 0; i < events.length; i += 2000) await project(events.slice(i, i + 2000));
// One run with 10 metrics of 10,000 steps each (100,000 points), 1,000 points per event as the contract allows.
const CHARTS = 10;
const POINTS = 10_000;
const wide = [ev.runStarted('exp-bench', 'bench-wide', { run_name: 'wide' })];
for (let k = 0; k < CHARTS; k++) {
  for (let from = 0; from < POINTS; from += 1000) {
    wide.push(ev.metricsLogged('exp-bench', 'bench-wide', Array.from({ length: 1000 }, (_, j) => ({ key: `m${k}`, value: Math.sin((from + j) / (50 + k)) + k, step: from + j }))));
  }
}
for (let i = 0; i < wide.length; i += 20) await project(wide.slice(i, i + 20));
const api = createQueryApi({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pg.schema, clickhouseUrl: ch.url, eventsTopic: TOPIC, readYourWritesWaitMs: 300, streams: { pollMs: 200, maxStreams: 1000 } });
const q = await api.listen();
const web = createWebServer({ queryUrl: q.url, publicDir: join(ROOT, 'services/web/dist/public') });
const base = (await web.listen()).url;
const exe = execFileSync('bash', [join(ROOT, 'scripts/ensure-chromium.sh')], { encoding: 'utf8' }).trim();
const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
const out = [];
try {
  const search = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const r = await fetch(`${base}/v1/runs/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_ids: ['exp-bench'], order_by: ['attributes.start_time DESC'], max_results: 100 }) });
    await r.json();
    search.push(performance.now() - t);
  }
  out.push(['runs page first data (search, 100 rows, via the web proxy)', `${median(search).toFixed(0)} ms`]);
  const interactive = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t = Date.now();
    await page.goto(`${base}/#/e/exp-bench`);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 100);
    interactive.push(Date.now() - t);
    await page.close();
  }
  out.push(['runs page interactive in Chromium (100 rows rendered, from navigation)', `${median(interactive)} ms`]);
  // 10 charts × 10,000 points: from navigation until every chart has drawn its first frame (the run stream sends
  // each series sized to the chart, ~1,200 min/max buckets, then only new points; a zoom refetches finer), and a
  // redraw of all ten (resize). Runs in the page (self-contained): every chart has a draw with its points.
  const allDrawn = ([, charts]) => new Set((window.__trackstreamDraws ?? []).filter((d) => d.points > 0).map((d) => d.chart)).size === charts;
  // For comparison, the server's part of the full series: the ten read at 10,000 points each, in parallel, through
  // the web proxy (what the stream sent before the chart-sized first frame), and at a frame's 1,200.
  const frameReads = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await Promise.all(Array.from({ length: CHARTS }, (_, k) => fetch(`${base}/v1/runs/bench-wide/metrics/m${k}?max_points=1200`).then((r) => r.json())));
    frameReads.push(performance.now() - t);
  }
  out.push([`${CHARTS} × GET metrics?max_points=1200 in parallel (a first frame's read, via the proxy)`, `${median(frameReads).toFixed(0)} ms`]);
  const reads = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await Promise.all(Array.from({ length: CHARTS }, (_, k) => fetch(`${base}/v1/runs/bench-wide/metrics/m${k}?max_points=${POINTS}`).then((r) => r.json())));
    reads.push(performance.now() - t);
  }
  const one = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await fetch(`${base}/v1/runs/bench-wide/metrics/m0?max_points=${POINTS}`).then((r) => r.json());
    one.push(performance.now() - t);
  }
  out.push([`${CHARTS} × GET metrics?max_points=${POINTS} in parallel (server read, via the proxy)`, `${median(reads).toFixed(0)} ms (one alone: ${median(one).toFixed(0)} ms)`]);
  const loaded = [];
  const firstFull = [];
  const redraw = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t = Date.now();
    await page.goto(`${base}/#/r/bench-wide`);
    await page.waitForFunction(allDrawn, [POINTS, CHARTS], { timeout: 60_000, polling: 10 });
    loaded.push(Date.now() - t);
    const full = await page.evaluate(() => window.__trackstreamDraws.filter((d) => d.points > 0).map((d) => d.at));
    if (i === 0) out.push(['run page: points per chart in its first frame', String(await page.evaluate(() => Math.max(...window.__trackstreamDraws.map((d) => d.points))))]);
    firstFull.push(Math.min(...full) - t);
    for (const width of [1100, 1280, 1000]) {
      await page.evaluate(() => (window.__trackstreamDraws = []));
      const t0 = await page.evaluate(() => Date.now());
      await page.setViewportSize({ width, height: 900 });
      await page.waitForFunction(allDrawn, [POINTS, CHARTS], { timeout: 20_000, polling: 10 });
      const last = await page.evaluate(() => Math.max(...window.__trackstreamDraws.map((d) => d.at)));
      redraw.push(last - t0);
    }
    await page.close();
  }
  out.push([`run page, ${CHARTS} charts × ${POINTS.toLocaleString('en')} points: navigation → all ten drawn (first frames: read, stream, parse, draw)`, `${median(loaded)} ms (first chart drawn: ${median(firstFull)} ms)`]);
  out.push([`run page, ${CHARTS} charts × ${POINTS.toLocaleString('en')} points: redraw of all ten first frames (resize → last frame)`, `${median(redraw)} ms`]);
  // live: a running run's page open; each sample projects one point and waits for the chart frame that shows it.
  await project([ev.metricsLogged('exp-bench', 'bench-run-0', [{ key: 'live', value: 0, step: 0 }])]);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/#/r/bench-run-0`);
  await page.waitForFunction(() => document.querySelector('[data-chart="live"]')?.getAttribute('data-points') === '1');
  const lat = [];
  for (let s = 1; s <= 10; s++) {
    const t0 = Date.now();
    await project([ev.metricsLogged('exp-bench', 'bench-run-0', [{ key: 'live', value: s, step: s }])]);
    const tp = Date.now();
    await page.waitForFunction((step) => (window.__trackstreamDraws ?? []).some((d) => d.chart === 'live' && d.lastStep === step), s, { timeout: 10_000 });
    const at = await page.evaluate((step) => window.__trackstreamDraws.find((d) => d.chart === 'live' && d.lastStep === step).at, s);
    lat.push([at - tp, at - t0]);
  }
  out.push(['live: projected point → chart frame (poll 200 ms)', `${median(lat.map((l) => l[0]))} ms (incl. the sink write: ${median(lat.map((l) => l[1]))} ms)`]);
  await page.close();
  // idle streams: 100 open run streams, nothing logged, CPU of this process (query API + web proxy) over 10 s.
  const ctl = new AbortController();
  const streams = await Promise.all(Array.from({ length: 100 }, (_, i) => fetch(`${base}/v1/stream/runs/bench-run-${i + 1}`, { signal: ctl.signal })));
  await new Promise((r) => setTimeout(r, 2000));
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, 10_000));
  const c1 = process.cpuUsage(c0);
  const share = (c1.user + c1.system) / 1000 / (performance.now() - w0);
  out.push(['100 idle open streams: CPU of query API + web proxy (one process)', `${(share * 100).toFixed(2)} % of a core`]);
  ctl.abort();
  void streams;
} finally {
  await browser.close();
  await web.close();
  await api.close();
  await pgSink.close();
  await chSink.close();
  await pg.cleanup();
  await ch.cleanup();
}
console.log(`\n| bench:web (${RUNS} runs) | median |\n|---|---|`);
for (const [k, v] of out) console.log(`| ${k} | ${v} |`);
