import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ClickHouseSink } from '@trackstream/clickhouse';
import type { StoredEvent } from '@trackstream/events';
import { PostgresSink } from '@trackstream/postgres';
import { TestEvents, batchOf } from '@trackstream/projection-core/testing';
import { createQueryApi, type QueryApi } from '@trackstream/query-api';
import { createTestClickHouseDatabase, createTestPgSchema, endpointsFromEnv, uniqueName, type TestClickHouseDatabase, type TestPgSchema } from '@trackstream/testkit';
import { createWebServer, type WebServer } from './server/app';

// The real UI in Debian's Chromium, against the real query API over the shared Postgres and ClickHouse, with the
// projections written by the real sinks (the projectors' own write path). The bundle is built by bootstrap.
const ROOT = join(__dirname, '..', '..', '..');
const TOPIC = uniqueName('web-topic');
let pgSchema: TestPgSchema;
let chDb: TestClickHouseDatabase;
let pgSink: PostgresSink;
let chSink: ClickHouseSink;
let api: QueryApi;
let web: WebServer;
let base: string;
let browser: Browser;
const ev = new TestEvents('vision');

async function project(partition: number, events: StoredEvent[]): Promise<void> {
  await pgSink.apply(batchOf(TOPIC, partition, events));
  await chSink.apply(batchOf(TOPIC, partition, events));
}

beforeAll(async () => {
  execFileSync('node', [join(ROOT, 'services/web/build.mjs')]);
  const exe = execFileSync('bash', [join(ROOT, 'scripts/ensure-chromium.sh')], { encoding: 'utf8' }).trim();
  pgSchema = await createTestPgSchema('web');
  chDb = await createTestClickHouseDatabase('web');
  pgSink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: pgSchema.schema });
  chSink = new ClickHouseSink({ url: chDb.url });
  await pgSink.setup();
  await chSink.setup();
  const events: StoredEvent[] = [ev.experimentCreated('exp-web', { name: 'sweep-web' })];
  for (let i = 0; i < 3; i++) {
    const run = `run-web-${i}`;
    events.push(ev.runStarted('exp-web', run, { run_name: `trial-${i}` }));
    events.push(ev.paramsLogged('exp-web', run, { lr: String(0.1 / (i + 1)), optimizer: 'adam' }));
    events.push(ev.metricsLogged('exp-web', run, Array.from({ length: 20 }, (_, s) => ({ key: 'loss', value: 1 / (s + 1 + i), step: s }))));
    if (i < 2) events.push(ev.runCompleted('exp-web', run));
  }
  await project(0, events);
  api = createQueryApi({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, eventsTopic: TOPIC, readYourWritesWaitMs: 300, streams: { pollMs: 100 } });
  const q = await api.listen();
  web = createWebServer({ queryUrl: q.url, publicDir: join(ROOT, 'services/web/dist/public') });
  base = (await web.listen()).url;
  browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await api?.close();
  await pgSink?.close();
  await chSink?.close();
  await pgSchema?.cleanup();
  await chDb?.cleanup();
});

it('lists the experiment, filters its runs (a bad filter shows the server message), grows a running run chart live, compares runs', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/#/`);
  await page.locator('tr[data-experiment="exp-web"]').waitFor();
  expect(await page.locator('tr[data-experiment="exp-web"] td').nth(2).textContent()).toBe('3');
  await page.screenshot({ path: join(ROOT, 'docs/ui/experiments.png') });

  await page.click('a[href="#/e/exp-web"]');
  await page.locator('tr[data-run]').nth(2).waitFor();
  expect(await page.locator('tr[data-run]').count()).toBe(3);
  await page.fill('input[name=filter]', "params.lr = '0.1'");
  await page.click('button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 1);
  await page.fill('input[name=filter]', 'metrics.loss >');
  await page.click('button[type=submit]');
  const err = page.locator('[data-filter-error]');
  await err.waitFor();
  expect(await err.textContent()).toContain('expected a quoted string or a number');
  await page.screenshot({ path: join(ROOT, 'docs/ui/runs-filter-error.png') });
  await page.fill('input[name=filter]', '');
  await page.click('button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 3);
  await page.screenshot({ path: join(ROOT, 'docs/ui/runs.png') });

  // The running run's page: its chart holds 20 points, then grows while points are projected.
  await page.goto(`${base}/#/r/run-web-2`);
  const chart = page.locator('[data-chart="loss"]');
  await page.waitForFunction(() => document.querySelector('[data-chart="loss"]')?.getAttribute('data-points') === '20');
  await project(1, [ev.metricsLogged('exp-web', 'run-web-2', Array.from({ length: 10 }, (_, s) => ({ key: 'loss', value: 0.01 * s, step: 20 + s })))]);
  await page.waitForFunction(() => document.querySelector('[data-chart="loss"]')?.getAttribute('data-points') === '30', undefined, { timeout: 10_000 });
  expect(await chart.getAttribute('data-last-step')).toBe('29');
  expect(await page.locator('table[data-table=params] tr[data-key=lr] td').textContent()).toBe(String(0.1 / 3));
  await page.screenshot({ path: join(ROOT, 'docs/ui/run.png') });

  await page.goto(`${base}/#/c/run-web-0,run-web-1,run-web-2`);
  await page.locator('tr[data-param=lr]').waitFor();
  expect(await page.locator('tr[data-param=lr]').getAttribute('data-differs')).toBe('true');
  expect(await page.locator('tr[data-param=optimizer]').getAttribute('data-differs')).toBe('false');
  await page.waitForFunction(() => Number(document.querySelector('[data-chart="compare:loss"]')?.getAttribute('data-points')) >= 20);
  await page.screenshot({ path: join(ROOT, 'docs/ui/compare.png') });
  await page.close();
}, 80_000);
