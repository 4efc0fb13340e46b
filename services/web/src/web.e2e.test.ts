import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PostgresTokenStore, TokenValidator } from '@trackstream/auth';
import { startKafkaGateway, type RunningGateway } from '@trackstream/ingest-gateway';
import { startTestProjectors, type TestProjectors } from '@trackstream/projector/testing';
import { createQueryApi, type QueryApi } from '@trackstream/query-api';
import { Trackstream, type Run } from '@trackstream/sdk';
import { noopLogger } from '@trackstream/telemetry';
import {
  createTestClickHouseDatabase,
  createTestPgSchema,
  createTestTopic,
  endpointsFromEnv,
  pollUntil,
  uniqueName,
  type TestClickHouseDatabase,
  type TestPgSchema,
  type TestTopic,
} from '@trackstream/testkit';
import { createWebServer, type WebServer } from './server/app';

// The real UI in Debian's Chromium over the whole write and read path: the TypeScript SDK logs a sweep through the
// real ingest gateway into Kafka, both projectors (the real runtime and sinks) apply it to Postgres and ClickHouse,
// the query API reads it, the web server serves the bundle (built by bootstrap, rebuilt here) and proxies /v1.
// A second query API with access control on (tokens in Postgres) serves the token prompt test.
const ROOT = join(__dirname, '..', '..', '..');
const PUBLIC = join(ROOT, 'services/web/dist/public');
const PROJECT = 'vision';
let topic: TestTopic;
let dlq: TestTopic;
let pgSchema: TestPgSchema;
let chDb: TestClickHouseDatabase;
let gateway: RunningGateway;
let projectors: TestProjectors;
let api: QueryApi;
let apiUrl: string;
let web: WebServer;
let base: string;
let authSchema: string;
let authPool: Pool;
let validator: TokenValidator;
let authApi: QueryApi;
let authWeb: WebServer;
let authBase: string;
let browser: Browser;
let sdk: Trackstream;
let spoolDir: string;
let experimentId = '';
const runs: Run[] = [];
/** Points of trial 0's long curve: more than a chart-sized first frame (≤ 1,200), so its chart starts downsampled. */
const CURVE = 20_000;
const tokens = { reader: '', writer: '' };

/** The query API's answer (straight, not through the UI) once `check` holds: what the projectors have applied. */
async function projected(what: string, path: string, check: (body: any) => boolean): Promise<void> {
  await pollUntil(what, async () => {
    const res = await fetch(apiUrl + path);
    return res.ok && check(await res.json());
  }, 30_000, 100);
}

async function startTrial(i: number): Promise<Run> {
  const run = await sdk.startRun({ experiment: 'sweep-web', name: `trial-${i}`, runId: `run-web-${i}`, params: { lr: 0.1 / (i + 1), optimizer: 'adam' } });
  for (let s = 0; s < 20; s++) run.log({ loss: 1 / (s + 1 + i) }, { step: s });
  runs.push(run);
  return run;
}

beforeAll(async () => {
  execFileSync('node', [join(ROOT, 'services/web/build.mjs')]);
  const exe = execFileSync('bash', [join(ROOT, 'scripts/ensure-chromium.sh')], { encoding: 'utf8' }).trim();
  const { pgUrl, kafkaBrokers } = endpointsFromEnv();
  topic = await createTestTopic('web', 3);
  dlq = await createTestTopic('web-dlq', 1);
  pgSchema = await createTestPgSchema('web');
  chDb = await createTestClickHouseDatabase('web');
  gateway = await startKafkaGateway({ brokers: kafkaBrokers, topic: topic.topic, partitions: 3, logger: noopLogger, port: 0, host: '127.0.0.1', auth: { mode: 'off' } });
  projectors = await startTestProjectors({ brokers: kafkaBrokers, topic: topic.topic, dlqTopic: dlq.topic, pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, name: 'web' });
  const common = { pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, eventsTopic: topic.topic, readYourWritesWaitMs: 300, streams: { pollMs: 100 } };
  api = createQueryApi({ ...common, auth: { mode: 'off' } });
  apiUrl = (await api.listen()).url;
  web = createWebServer({ queryUrl: apiUrl, publicDir: PUBLIC });
  base = (await web.listen()).url;

  // Access control on: tokens in their own Postgres schema, read by the real validator.
  authSchema = uniqueName('web_auth');
  authPool = new Pool({ connectionString: pgUrl, max: 2 });
  const store = new PostgresTokenStore(authPool, { schema: authSchema });
  await store.migrate();
  tokens.reader = (await store.create({ principal: 'rita@lab', project: PROJECT, role: 'reader' })).token;
  tokens.writer = (await store.create({ principal: 'ada@lab', project: PROJECT, role: 'writer' })).token;
  validator = new TokenValidator(store, { refreshMs: 200 });
  await validator.start();
  authApi = createQueryApi({ ...common, auth: { mode: 'on', validator } });
  authWeb = createWebServer({ queryUrl: (await authApi.listen()).url, publicDir: PUBLIC });
  authBase = (await authWeb.listen()).url;

  spoolDir = mkdtempSync(join(tmpdir(), 'ts-web-e2e-spool-'));
  sdk = new Trackstream({ url: `http://127.0.0.1:${gateway.address.port}`, project: PROJECT, spoolDir, exitHooks: false, recoverSpools: false, flushIntervalMs: 50 });
  experimentId = (await sdk.getOrCreateExperiment('sweep-web')).experimentId;
  // The sweep's first trial, with a long curve (downsampled on a chart, finer when zoomed).
  const first = await startTrial(0);
  for (let s = 0; s < CURVE; s++) first.log({ curve: Math.sin(s / 100) }, { step: s });
  await sdk.flush();
  // A run's events share a partition, applied in order: its last points projected means all of them are.
  await projected('trial 0 projected', `/v1/runs/run-web-0/metrics/curve?min_step=${CURVE - 10}`, (b) => b.points.length === 10);
  browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
}, 180_000);

afterAll(async () => {
  await sdk?.close({ timeoutMs: 2000 }).catch(() => undefined);
  await browser?.close();
  await web?.close();
  await authWeb?.close();
  await api?.close();
  await authApi?.close();
  validator?.stop();
  await projectors?.stop();
  await gateway?.stop(1000);
  await authPool?.query(`DROP SCHEMA IF EXISTS "${authSchema}" CASCADE`).catch(() => undefined);
  await authPool?.end();
  await topic?.cleanup();
  await dlq?.cleanup();
  await pgSchema?.cleanup();
  await chDb?.cleanup();
  if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
});

const rows = (page: Page, n: number) => page.waitForFunction((k) => document.querySelectorAll('tr[data-run]').length === k, n, { timeout: 20_000 });
const chartPoints = (page: Page, name: string) => page.locator(`[data-chart="${name}"]`).getAttribute('data-points').then(Number);

it('a sweep logged through the SDK while its experiment is open: rows appear, a bad filter shows its error, a chart grows live and zooms finer, a finished run shows its params, latest values and audit timeline, compare shows curves, differing params and parallel coordinates', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/#/`);
  await page.locator(`tr[data-experiment="${experimentId}"]`).waitFor();
  await page.screenshot({ path: join(ROOT, 'docs/ui/experiments.png') });

  // The runs page is open while the rest of the sweep starts: its rows appear without a reload.
  await page.click(`a[href="#/e/${experimentId}"]`);
  await rows(page, 1);
  await startTrial(1);
  await startTrial(2);
  await rows(page, 3);
  await runs[0]!.finish({ timeoutMs: 20_000 });
  await runs[1]!.finish({ timeoutMs: 20_000 });
  await page.waitForFunction(() => document.querySelectorAll('tr[data-run] .status-finished').length === 2, undefined, { timeout: 20_000 });

  await page.fill('input[name=filter]', "params.lr = '0.1'");
  await page.click('button[type=submit]');
  await rows(page, 1);
  await page.fill('input[name=filter]', 'metrics.loss >');
  await page.click('button[type=submit]');
  const err = page.locator('[data-filter-error]');
  await err.waitFor();
  expect(await err.textContent()).toContain('expected a quoted string or a number');
  await page.screenshot({ path: join(ROOT, 'docs/ui/runs-filter-error.png') });
  await page.fill('input[name=filter]', '');
  await page.click('button[type=submit]');
  await rows(page, 3);
  // The experiment's own history, from its events.
  await page.locator('[data-panel=audit] li[data-event-type=experiment_created]').waitFor();
  expect(await page.locator('[data-panel=audit] li[data-event-type=experiment_created] .what').textContent()).toBe('experiment created: "sweep-web"');
  await page.screenshot({ path: join(ROOT, 'docs/ui/runs.png'), fullPage: true });

  // The running trial's page: its chart holds its 20 points, then grows as the SDK logs more.
  await page.goto(`${base}/#/r/run-web-2`);
  await page.waitForFunction(() => document.querySelector('[data-chart="loss"]')?.getAttribute('data-points') === '20', undefined, { timeout: 20_000 });
  for (let s = 20; s < 30; s++) runs[2]!.log({ loss: 0.01 * s }, { step: s });
  await page.waitForFunction(() => document.querySelector('[data-chart="loss"]')?.getAttribute('data-points') === '30', undefined, { timeout: 20_000 });
  expect(await page.locator('[data-chart="loss"]').getAttribute('data-last-step')).toBe('29');
  await page.screenshot({ path: join(ROOT, 'docs/ui/run.png') });

  // The finished trial's page: every param, the right latest values, its long curve downsampled; a drag across
  // the chart refetches that span at full resolution; its audit timeline says who sent what.
  await page.goto(`${base}/#/r/run-web-0`);
  await page.locator('[data-chart="curve"]').waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-chart="curve"]')?.getAttribute('data-points')) > 0);
  expect(await page.locator('table[data-table=params] tr[data-key=lr] td').textContent()).toBe('0.1');
  expect(await page.locator('table[data-table=params] tr[data-key=optimizer] td').textContent()).toBe('adam');
  expect(await page.locator('table[data-table=params] tr[data-key]').count()).toBe(2);
  expect(await page.locator('table[data-table=metrics] tr[data-key=loss] td[data-latest]').textContent()).toBe(String(1 / 20));
  expect(await page.locator('table[data-table=metrics] tr[data-key=curve] td[data-latest]').textContent()).toBe(String(Number(Math.sin((CURVE - 1) / 100).toPrecision(6))));
  // Its first frame is sized to the chart (the run stream's min/max buckets, ≤ 2 points per pixel, ≤ 1,200), not
  // the 20,000 points: the zoom below fetches finer.
  const whole = await chartPoints(page, 'curve');
  expect(whole).toBeLessThanOrEqual(1_200);
  expect(whole).toBeGreaterThan(100);
  const over = page.locator('[data-chart="curve"] .u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.53, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('[data-chart="curve"]')?.getAttribute('data-zoom') !== '', undefined, { timeout: 10_000 });
  const [from, to] = (await page.locator('[data-chart="curve"]').getAttribute('data-zoom'))!.split('..').map(Number) as [number, number];
  expect(from).toBeGreaterThan(CURVE * 0.4);
  expect(to).toBeLessThan(CURVE * 0.6);
  // Every point of the span: the zoomed chart is at full resolution.
  await page.waitForFunction((n) => document.querySelector('[data-chart="curve"]')?.getAttribute('data-points') === String(n), to - from + 1);
  const audit = page.locator('[data-panel=audit]');
  await audit.locator('li[data-event-type=run_completed]').waitFor();
  expect(await audit.locator('li[data-event-type=run_started] .what').first().textContent()).toMatch(/^run started \(trial-0\) by user /);
  expect(await audit.locator('li[data-event-type=params_logged] .what').allTextContents()).toEqual(expect.arrayContaining(['param lr = "0.1"', 'param optimizer = "adam"']));
  expect(await audit.locator('li[data-event-type=run_completed] .what').textContent()).toMatch(/^run completed: FINISHED at /);
  expect((await audit.locator('li .who').first().textContent())!.length).toBeGreaterThan(0);
  await page.screenshot({ path: join(ROOT, 'docs/ui/run-zoomed-audit.png'), fullPage: true });
  await page.click('[data-unzoom=curve]');
  await page.waitForFunction((n) => document.querySelector('[data-chart="curve"]')?.getAttribute('data-points') === String(n) && document.querySelector('[data-chart="curve"]')?.getAttribute('data-zoom') === '', whole);

  // Compare the three trials: overlaid curves, the differing param first, parallel coordinates lr → loss.
  await page.goto(`${base}/#/c/run-web-0,run-web-1,run-web-2`);
  await page.locator('tr[data-param=lr]').waitFor();
  expect(await page.locator('tr[data-param=lr]').getAttribute('data-differs')).toBe('true');
  expect(await page.locator('tr[data-param=optimizer]').getAttribute('data-differs')).toBe('false');
  await page.waitForFunction(() => Number(document.querySelector('[data-chart="compare:loss"]')?.getAttribute('data-points')) >= 30);
  await page.selectOption('select[name=pcoords-metric]', 'loss');
  const svg = page.locator('svg.pcoords');
  expect(await svg.getAttribute('data-axes')).toBe('lr,loss');
  expect(await svg.locator('g[data-pcoords-run]').count()).toBe(3);
  // Each run's line passes through both axes: a point on lr and one on loss.
  for (const id of ['run-web-0', 'run-web-1', 'run-web-2']) expect(await svg.locator(`g[data-pcoords-run="${id}"] circle`).count()).toBe(2);
  await page.screenshot({ path: join(ROOT, 'docs/ui/compare.png'), fullPage: true });
  await page.close();
}, 120_000);

it('lineage and a note recorded through the SDK and the gateway: the run page shows them (the note as escaped markdown), an experiment note and saved view show on the runs page (the view applied), the dataset\'s page shows the run and model downstream, the model\'s page what produced it', async () => {
  const exp = await sdk.getOrCreateExperiment('lineage-web');
  const run = await sdk.startRun({ experiment: 'lineage-web', name: 'train-cnn', runId: 'run-web-lin', params: { lr: 0.01 } });
  run.recordLineage({ inputs: [{ kind: 'dataset', name: 'mnist', version: 'v1' }], outputs: [{ kind: 'model', name: 'digits-cnn', version: '1' }] });
  await run.finish({ timeoutMs: 20_000 });
  const on = { project: PROJECT, experiment_id: exp.experimentId, run_id: 'run-web-lin', occurred_at: Date.now() };
  const res = await fetch(`http://127.0.0.1:${gateway.address.port}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-trackstream-principal': 'ada@lab' },
    body: JSON.stringify({
      events: [
        { ...on, event_id: randomUUID(), type: 'note_added', payload: { note_id: randomUUID(), text: '**Why** lr 0.01 <img src=x onerror="window.__xss=1"> [docs](javascript:window.__xss=2)' } },
        { ...on, event_id: randomUUID(), type: 'annotation_added', payload: { annotation_id: randomUUID(), key: 'loss', step: 3, text: 'bad batch' } },
        { ...on, event_id: randomUUID(), type: 'run_starred', payload: { starred: true } },
        { ...on, run_id: null, event_id: randomUUID(), type: 'note_added', payload: { note_id: randomUUID(), text: 'plan: *one* run per dataset version' } },
        { ...on, run_id: null, event_id: randomUUID(), type: 'view_saved', payload: { name: 'lr 0.02', filter: "params.lr = '0.02'", order_by: ['params.lr DESC'], columns: ['params.lr'] } },
      ],
    }),
  });
  expect(res.status).toBe(202);
  await projected('lineage and note projected', '/v1/runs/run-web-lin', (b) => b.run.notes.length === 1 && b.run.stars.length === 1 && b.run.lineage.outputs.length === 1);
  await projected('experiment note and view projected', `/v1/experiments/${exp.experimentId}/views`, (b) => b.views.length === 1);
  await projected('experiment note projected', `/v1/experiments/${exp.experimentId}/notes`, (b) => b.notes.length === 1);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/#/r/run-web-lin`);
  const lineage = page.locator('[data-panel=lineage]');
  await lineage.locator('[data-list=inputs] a[data-node-kind=dataset][data-node-name=mnist]').waitFor();
  expect(await lineage.locator('[data-list=outputs] a[data-node-kind=model]').textContent()).toBe('model: digits-cnn@1');
  const notes = page.locator('[data-panel=notes]');
  expect(await notes.locator('[data-note] strong').textContent()).toBe('Why');
  expect(await notes.locator('[data-note] .md').textContent()).toContain('<img src=x onerror="window.__xss=1">');
  expect(await notes.locator('img').count()).toBe(0);
  expect(await notes.locator('[data-note] a').count()).toBe(0);
  expect(await notes.locator('[data-note] .who').textContent()).toBe('ada@lab');
  expect(await notes.locator('[data-annotation] .text').textContent()).toBe('bad batch');
  expect(await notes.locator('[data-stars]').getAttribute('data-stars')).toBe('1');
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  await page.screenshot({ path: join(ROOT, 'docs/ui/run-notes.png'), fullPage: true });

  // The experiment's own note and saved view: applying the view sets the table's filter (no run has lr 0.02).
  await page.goto(`${base}/#/e/${exp.experimentId}`);
  await rows(page, 1);
  expect(await page.locator('[data-panel=experiment-notes] [data-note] em').textContent()).toBe('one');
  await page.click('[data-view="lr 0.02"]');
  await rows(page, 0);
  expect(await page.inputValue('input[name=filter]')).toBe("params.lr = '0.02'");
  await page.goto(`${base}/#/r/run-web-lin`);

  // The dataset's page: downstream by default, the run one hop away and its model two.
  await lineage.locator('a[data-node-kind=dataset]').waitFor();
  await lineage.locator('a[data-node-kind=dataset]').click();
  const graph = page.locator('svg.lineage');
  await graph.locator('g[data-node-kind=run][data-node-name=run-web-lin]').waitFor();
  expect(await graph.locator('g[data-node-kind=run][data-node-name=run-web-lin]').getAttribute('data-layer')).toBe('1');
  expect(await graph.locator('g[data-node-kind=model][data-node-name=digits-cnn]').getAttribute('data-layer')).toBe('2');
  await page.locator('[data-list=impact-runs] tr[data-run=run-web-lin]').waitFor();
  expect(await page.locator('[data-panel=provenance]').count()).toBe(0);
  await page.screenshot({ path: join(ROOT, 'docs/ui/lineage.png'), fullPage: true });

  // The model's page (a click on its node): upstream by default, what produced it with its params.
  await graph.locator('g[data-node-kind=model]').click();
  await page.locator('[data-list=provenance-runs] tr[data-run=run-web-lin]').waitFor();
  expect(await page.locator('[data-list=provenance-runs] tr[data-run=run-web-lin]').textContent()).toContain('lr=0.01');
  expect(await page.locator('[data-list=provenance-datasets] a[data-node-name=mnist]').textContent()).toBe('dataset: mnist@v1');
  expect(await page.locator('svg.lineage g[data-node-kind=dataset]').getAttribute('data-layer')).toBe('-2');
  await page.close();
}, 60_000);

it('with access control on, the page asks for a token, says why a token is refused, and uses an accepted one in headers only (REST and live stream)', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  const urls: string[] = [];
  const authHeaders: string[] = [];
  page.on('request', (r) => {
    urls.push(r.url());
    const h = r.headers().authorization;
    if (h !== undefined) authHeaders.push(h);
  });
  await page.goto(`${authBase}/#/`);
  const prompt = page.locator('form.token');
  await prompt.waitFor();
  expect(await prompt.locator('.error').textContent()).toMatch(/^Sign-in needed: .*Enter an API token with read access\.$/);
  await page.screenshot({ path: join(ROOT, 'docs/ui/token-prompt.png') });

  await prompt.locator('input[type=password]').fill(tokens.writer);
  await prompt.locator('button[type=submit]').click();
  await page.waitForFunction(() => /^Not allowed: /.test(document.querySelector('form.token .error')?.textContent ?? ''), undefined, { timeout: 10_000 });

  await page.locator('form.token input[type=password]').fill(tokens.reader);
  await page.locator('form.token button[type=submit]').click();
  await page.locator(`tr[data-experiment="${experimentId}"]`).waitFor();
  expect(await page.locator('form.token').count()).toBe(0);
  // The live stream of a running run authenticates with the same header.
  await page.goto(`${authBase}/#/r/run-web-2`);
  await page.waitForFunction(() => document.querySelector('.live')?.textContent === '● live', undefined, { timeout: 10_000 });
  expect(await page.evaluate(() => sessionStorage.getItem('trackstream.token'))).toBe(tokens.reader);
  expect(authHeaders).toContain(`Bearer ${tokens.reader}`);
  for (const t of [tokens.reader, tokens.writer]) expect(urls.filter((u) => u.includes(t))).toEqual([]);
  expect(page.url()).not.toContain(tokens.reader);
  await page.close();
}, 60_000);
