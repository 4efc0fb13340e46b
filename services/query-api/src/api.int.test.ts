import { encodePositionsToken, type StoredEvent } from '@trackstream/events';
import { TestEvents } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase, createTestPgSchema, endpointsFromEnv, uniqueName, type TestClickHouseDatabase, type TestPgSchema } from '@trackstream/testkit';
import { createQueryApi, type QueryApi } from './app';
import { seedProjections } from '@trackstream/query-api/testing';

/**
 * Every endpoint over projections seeded through the real sinks (their own schema and database), so the API is
 * tested against the tables exactly as the projectors write them.
 */
const TOPIC = uniqueName('qa-topic');
const WAIT_MS = 300;

let pgSchema: TestPgSchema;
let chDb: TestClickHouseDatabase;
let api: QueryApi;
let base: string;
let seeded: number;

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(base + path, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};
const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};

function seedEvents(): StoredEvent[] {
  const proj = new TestEvents('proj');
  const other = new TestEvents('other');
  const events: StoredEvent[] = [...proj.sampleStream('exp-a', 3)];
  events.push(proj.experimentCreated('exp-shared-1', { name: 'shared-name' }));
  events.push(other.experimentCreated('exp-shared-2', { name: 'shared-name' }));
  events.push(proj.experimentCreated('exp-unique', { name: 'unique-name', tags: { team: 'risk' } }));
  // 5,000 steps of a flat curve with one spike: downsampling must keep the spike in its bucket's max.
  events.push(proj.runStarted('exp-unique', 'spiky'));
  for (let chunk = 0; chunk < 5; chunk++) {
    events.push(
      proj.metricsLogged(
        'exp-unique',
        'spiky',
        Array.from({ length: 1000 }, (_, i) => {
          const step = chunk * 1000 + i;
          return { key: 'loss', value: step === 2345 ? 100 : 1, step, timestamp: 1_763_900_000_000 + step };
        }),
      ),
    );
  }
  return events;
}

beforeAll(async () => {
  pgSchema = await createTestPgSchema('qa');
  chDb = await createTestClickHouseDatabase('qa');
  const events = seedEvents();
  seeded = events.length;
  await seedProjections({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, topic: TOPIC, events });
  api = createQueryApi({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, eventsTopic: TOPIC, readYourWritesWaitMs: WAIT_MS });
  base = (await api.listen()).url;
}, 120_000);

afterAll(async () => {
  await api?.close();
  await pgSchema?.cleanup();
  await chDb?.cleanup();
});

describe('GET /v1/runs/:run_id', () => {
  it('returns the whole run: params with conflicts, tags, latest metrics with non-finite values, artifacts, lineage', async () => {
    const { status, body } = await get('/v1/runs/exp-a-run-0');
    expect(status).toBe(200);
    const run = body.run;
    expect(run).toMatchObject({ run_id: 'exp-a-run-0', experiment_id: 'exp-a', project: 'proj', run_name: 'exp-a-run-0', status: 'FINISHED', user: 'ada' });
    expect(typeof run.start_time).toBe('number');
    expect(typeof run.end_time).toBe('number');
    expect(run.params).toEqual({ seed: '0', lr: '0.01', layers: '4' });
    expect(run.param_conflicts.lr).toEqual([expect.objectContaining({ value: '0.5' })]);
    expect(run.tags).toEqual({ phase: 'train', owner: 'ada' });
    expect(run.metrics.loss).toMatchObject({ value: 'NaN', step: 3, min: 0.9, max: 1, count: 3 });
    expect(run.metrics.grad).toMatchObject({ value: '-Infinity', step: 2, min: '-Infinity', max: 'Infinity', count: 2 });
    expect(run.metrics.bad).toMatchObject({ value: 'NaN', min: null, max: null, count: 1 });
    expect(run.artifacts).toEqual([expect.objectContaining({ path: 'model.pt', uri: 's3://bucket/exp-a-run-0/model.pt', sha256: 'f'.repeat(64) })]);
    expect(run.lineage).toEqual({
      inputs: [{ kind: 'dataset', name: 'imagenet', version: '2012', digest: null }],
      outputs: [{ kind: 'model', name: 'model-0', version: null, digest: 'sha256:abc' }],
    });
  });

  it('404s with a code for an unknown run', async () => {
    const { status, body } = await get('/v1/runs/nope');
    expect(status).toBe(404);
    expect(body.error.code).toBe('RUN_NOT_FOUND');
  });
});

describe('experiments', () => {
  it('lists all experiments page by page', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const q: string = token === null ? '' : `&page_token=${encodeURIComponent(token)}`;
      const { status, body } = await get(`/v1/experiments?max_results=2${q}`);
      expect(status).toBe(200);
      expect(body.experiments.length).toBeLessThanOrEqual(2);
      seen.push(...body.experiments.map((e: { experiment_id: string }) => e.experiment_id));
      token = body.next_page_token;
      pages++;
    } while (token !== null && pages < 10);
    expect(seen).toEqual(['exp-a', 'exp-shared-1', 'exp-shared-2', 'exp-unique']);
    const { body } = await get('/v1/experiments?project=other');
    expect(body.experiments.map((e: { experiment_id: string }) => e.experiment_id)).toEqual(['exp-shared-2']);
  });

  it('refuses bad paging input', async () => {
    expect((await get('/v1/experiments?page_token=garbage!')).body.error.code).toBe('PAGE_TOKEN_INVALID');
    const r = await get('/v1/experiments?max_results=0');
    expect([r.status, r.body.error.code]).toEqual([400, 'BAD_REQUEST']);
  });

  it('finds one by id, by name, and asks for ?project= when a name is ambiguous', async () => {
    const byId = await get('/v1/experiments/exp-a');
    expect(byId.body.experiment).toMatchObject({ experiment_id: 'exp-a', project: 'proj', description: 'contract', tags: { team: 'vision' } });
    expect((await get('/v1/experiments/unique-name')).body.experiment).toMatchObject({ experiment_id: 'exp-unique', tags: { team: 'risk' } });
    const ambiguous = await get('/v1/experiments/shared-name');
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.code).toBe('EXPERIMENT_AMBIGUOUS');
    expect(ambiguous.body.error.details.candidates).toHaveLength(2);
    expect((await get('/v1/experiments/shared-name?project=other')).body.experiment.experiment_id).toBe('exp-shared-2');
    const missing = await get('/v1/experiments/nothing-here');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'EXPERIMENT_NOT_FOUND']);
  });
});

describe('POST /v1/runs/search', () => {
  it('filters, orders by a metric and returns the run shape', async () => {
    const { status, body } = await post('/v1/runs/search', {
      experiment_ids: ['exp-a'],
      filter: "metrics.acc > 0.55 AND params.layers = '4'",
      order_by: ['metrics.acc DESC'],
    });
    expect(status).toBe(200);
    expect(body.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['exp-a-run-2', 'exp-a-run-1']);
    expect(body.next_page_token).toBeNull();
    expect(body.runs[0]).toEqual((await get('/v1/runs/exp-a-run-2')).body.run);
  });

  it('pages with a cursor', async () => {
    const first = await post('/v1/runs/search', { experiment_ids: ['exp-a'], order_by: ['metrics.acc ASC'], max_results: 2 });
    expect(first.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['exp-a-run-0', 'exp-a-run-1']);
    const second = await post('/v1/runs/search', { experiment_ids: ['exp-a'], order_by: ['metrics.acc ASC'], max_results: 2, page_token: first.body.next_page_token });
    expect(second.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['exp-a-run-2']);
    expect(second.body.next_page_token).toBeNull();
  });

  it('answers 400 with position and expectation for a bad filter, and for bad bodies', async () => {
    const bad = await post('/v1/runs/search', { experiment_ids: ['exp-a'], filter: 'metrics.acc >' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('FILTER_INVALID');
    expect(typeof bad.body.error.details.position).toBe('number');
    expect(typeof bad.body.error.details.expected).toBe('string');
    expect((await post('/v1/runs/search', { experiment_ids: ['exp-a'], order_by: ['metrics.acc SIDEWAYS'] })).body.error.code).toBe('ORDER_BY_INVALID');
    expect((await post('/v1/runs/search', { experiment_ids: ['exp-a'], page_token: 'xyz' })).body.error.code).toBe('PAGE_TOKEN_INVALID');
    expect((await post('/v1/runs/search', { experiment_ids: ['exp-a'], max_results: 100_000 })).body.error.code).toBe('MAX_RESULTS_INVALID');
    expect((await post('/v1/runs/search', { filter: 'x' })).body.error.code).toBe('BAD_REQUEST');
    const res = await fetch(base + '/v1/runs/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect([res.status, ((await res.json()) as any).error.code]).toEqual([400, 'MALFORMED_JSON']);
  });
});

describe('GET /v1/runs/:run_id/metrics/:key', () => {
  it('returns every point, non-finite values as strings, when they fit', async () => {
    const { status, body } = await get('/v1/runs/exp-a-run-0/metrics/grad');
    expect(status).toBe(200);
    expect(body).toEqual({
      downsampled: false,
      points: [
        expect.objectContaining({ step: 1, value: 'Infinity', min: 'Infinity', max: 'Infinity' }),
        expect.objectContaining({ step: 2, value: '-Infinity', min: '-Infinity', max: '-Infinity' }),
      ],
    });
    expect((await get('/v1/runs/exp-a-run-0/metrics/loss')).body.points.map((p: { value: unknown }) => p.value)).toEqual([0.9, 1, 'NaN']);
  });

  it('downsamples 5,000 steps into at most max_points buckets and keeps the spike', async () => {
    const { status, body } = await get('/v1/runs/spiky/metrics/loss?max_points=100');
    expect([status, body.error]).toEqual([200, undefined]);
    expect(body.downsampled).toBe(true);
    expect(body.points.length).toBeLessThanOrEqual(100);
    expect(body.points.length).toBeGreaterThanOrEqual(90);
    const spiky = body.points.filter((p: { max: number }) => p.max === 100);
    expect(spiky).toHaveLength(1);
    expect(spiky[0].step).toBeGreaterThanOrEqual(2345);
    expect(body.points.every((p: { min: number }) => p.min === 1)).toBe(true);
    const steps = body.points.map((p: { step: number }) => p.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect((await get('/v1/runs/spiky/metrics/loss')).body).toMatchObject({ downsampled: true });
    expect((await get('/v1/runs/spiky/metrics/loss')).body.points.length).toBeLessThanOrEqual(1000);
  });

  it('a step range (a zoomed chart) comes back finer: bucketed over that span only, every point when it fits', async () => {
    const whole = (await get('/v1/runs/spiky/metrics/loss?max_points=100')).body;
    const zoomed = await get('/v1/runs/spiky/metrics/loss?max_points=100&min_step=2300&max_step=2399');
    expect([zoomed.status, zoomed.body.downsampled]).toEqual([200, false]);
    expect(zoomed.body.points.map((p: { step: number }) => p.step)).toEqual(Array.from({ length: 100 }, (_, i) => 2300 + i));
    expect(zoomed.body.points.find((p: { value: number }) => p.value === 100)?.step).toBe(2345);
    const wider = (await get('/v1/runs/spiky/metrics/loss?max_points=100&min_step=2000&max_step=2999')).body;
    expect(wider.downsampled).toBe(true);
    expect(wider.points[0].step).toBeGreaterThanOrEqual(2000);
    expect(wider.points[wider.points.length - 1].step).toBeLessThanOrEqual(2999);
    // Ten times narrower than the whole series: each bucket spans about a tenth of the steps.
    const span = (b: { points: { step: number }[] }) => b.points[b.points.length - 1]!.step - b.points[0]!.step;
    expect(span(wider) * 4).toBeLessThan(span(whole));
    // Open above: from the spike on, downsampled; the first bucket starts at the spike and keeps it as its max.
    const from = (await get('/v1/runs/spiky/metrics/loss?min_step=2345')).body;
    expect(from.points[0]).toMatchObject({ max: 100 });
    expect(from.points[0].step).toBeGreaterThanOrEqual(2345);
    expect((await get('/v1/runs/spiky/metrics/loss?min_step=900000')).body).toEqual({ points: [], downsampled: false });
    for (const q of ['min_step=abc', 'max_step=1.5', 'min_step=99999999999999999', 'min_step=10&max_step=9']) {
      const r = await get(`/v1/runs/spiky/metrics/loss?${q}`);
      expect([r.status, r.body.error.code, r.body.error.details.field]).toEqual([400, 'BAD_REQUEST', q.includes('max_step=1.5') ? 'max_step' : 'min_step']);
    }
  });

  it('bounds max_points and 404s an unknown run', async () => {
    for (const q of ['0', '10001', 'abc', '-1']) {
      const r = await get(`/v1/runs/spiky/metrics/loss?max_points=${q}`);
      expect([r.status, r.body.error.code]).toEqual([400, 'BAD_REQUEST']);
    }
    expect((await get('/v1/runs/nope/metrics/loss')).body.error.code).toBe('RUN_NOT_FOUND');
    expect((await get('/v1/runs/spiky/metrics/never-logged')).body).toEqual({ points: [], downsampled: false });
  });
});

describe('GET /v1/runs/:run_id/events (audit timeline)', () => {
  const TYPES = ['run_started', 'params_logged', 'params_logged', 'params_logged', 'metrics_logged', 'metrics_logged', 'tags_set', 'tags_deleted', 'artifact_logged', 'lineage_recorded', 'run_completed'];

  it('lists who sent what and when, in log order, with the param conflict marked', async () => {
    const { status, body } = await get('/v1/runs/exp-a-run-0/events');
    expect(status).toBe(200);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(TYPES);
    expect(body.next_page_token).toBeNull();
    const offsets = body.events.map((e: { offset: string }) => Number(e.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    for (const e of body.events) {
      expect(typeof e.principal).toBe('string');
      expect(e.principal.length).toBeGreaterThan(0);
      expect(e.received_at).toBeGreaterThan(0);
      expect(e.occurred_at).toBeGreaterThan(0);
    }
    expect([...body.events[2].changes].sort()).toEqual(['param layers = "4"', 'param lr = "0.01"']);
    expect(body.events[3]).toMatchObject({ conflict: true, changes: [expect.stringMatching(/^CONFLICT param lr: "0.5" ignored, keeps "0.01"/)] });
    expect(body.events[4].changes).toEqual(['7 metric point(s): loss×3, acc×1, grad×2, bad×1']);
    expect(body.events[10].changes).toEqual([expect.stringMatching(/^run completed: FINISHED at /)]);
    expect(body.events.filter((e: { conflict: boolean }) => e.conflict)).toHaveLength(1);
  });

  it('pages with a cursor and still tells a conflict against the params of earlier pages', async () => {
    const seen: { type: string; conflict: boolean }[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const r: { status: number; body: any } = await get(`/v1/runs/exp-a-run-0/events?max_results=3${token ? `&page_token=${token}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.events);
      token = r.body.next_page_token;
      pages++;
    } while (token !== null);
    expect(pages).toBe(4);
    expect(seen.map((e) => e.type)).toEqual(TYPES);
    expect(seen.map((e) => e.conflict)).toEqual(TYPES.map((_, i) => i === 3));
  });

  it("an experiment's own timeline: its experiment-level events, by id; unknown, by-name and hostile ids 404", async () => {
    const { status, body } = await get('/v1/experiments/exp-unique/events');
    expect(status).toBe(200);
    expect(body.events).toEqual([expect.objectContaining({ type: 'experiment_created', changes: ['experiment created: "unique-name"'], conflict: false })]);
    expect(body.next_page_token).toBeNull();
    const a = (await get('/v1/experiments/exp-a/events')).body.events;
    expect(a.map((e: { type: string }) => e.type)).toEqual(['experiment_created']);
    for (const id of ['nope', 'unique-name', '%00']) expect((await get(`/v1/experiments/${id}/events`)).body.error.code).toBe('EXPERIMENT_NOT_FOUND');
    expect((await get('/v1/experiments/exp-a/events?max_results=1001')).body.error.details.field).toBe('max_results');
  });

  it('404s an unknown run and 400s bad paging', async () => {
    expect((await get('/v1/runs/nope/events')).body.error.code).toBe('RUN_NOT_FOUND');
    expect((await get('/v1/runs/exp-a-run-0/events?max_results=0')).body.error).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'max_results' } });
    const bad = Buffer.from(JSON.stringify({ a: 'x1' })).toString('base64url');
    for (const t of ['%21%21', bad]) expect((await get(`/v1/runs/exp-a-run-0/events?page_token=${t}`)).body.error.code).toBe('PAGE_TOKEN_INVALID');
  });
});

describe('POST /v1/runs/compare', () => {
  const runs = ['exp-a-run-0', 'exp-a-run-1', 'exp-a-run-2'];

  it('puts params side by side and picks the best run per metric', async () => {
    const { status, body } = await post('/v1/runs/compare', { run_ids: runs });
    expect(status).toBe(200);
    expect(body.params.lr).toEqual({ 'exp-a-run-0': '0.01', 'exp-a-run-1': '0.02', 'exp-a-run-2': '0.03' });
    expect(body.metrics.acc).toMatchObject({ goal: 'max', best_run_id: 'exp-a-run-2', best_value: 0.7 });
    expect(body.metrics.acc.runs['exp-a-run-0']).toEqual({ last: 0.5, last_step: 1, min: 0.25, max: 0.5, mean: 0.375, count: 2 });
    // Every run's last loss is NaN: no best.
    expect(body.metrics.loss).toMatchObject({ goal: 'min', best_run_id: null, best_value: null });
    expect(body.metrics.loss.runs['exp-a-run-1']).toMatchObject({ last: 'NaN', min: 0.5, max: 0.9, count: 3 });
    expect(body.metrics.bad.runs['exp-a-run-0']).toMatchObject({ min: 'NaN', max: 'NaN', mean: 'NaN', count: 1 });
  });

  it('follows metric_keys and metric_goals', async () => {
    const { body } = await post('/v1/runs/compare', { run_ids: runs, metric_keys: ['acc'], metric_goals: { acc: 'min' } });
    expect(Object.keys(body.metrics)).toEqual(['acc']);
    expect(body.metrics.acc).toMatchObject({ goal: 'min', best_run_id: 'exp-a-run-0' });
  });

  it('refuses too many runs, bad goals and unknown runs', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `r${i}`);
    expect((await post('/v1/runs/compare', { run_ids: many })).status).toBe(400);
    expect((await post('/v1/runs/compare', { run_ids: runs, metric_goals: { acc: 'up' } })).body.error.code).toBe('BAD_REQUEST');
    const unknown = await post('/v1/runs/compare', { run_ids: ['exp-a-run-0', 'ghost'] });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.details.missing]).toEqual([404, 'RUN_NOT_FOUND', ['ghost']]);
  });
});

describe('read-your-writes token', () => {
  it('answers fresh when the checkpoints cover the token, stale within the bound when they do not, 400 when it is bad', async () => {
    const covered = encodePositionsToken({ topic: TOPIC, positions: { 0: String(seeded - 1) } });
    const fresh = await get('/v1/runs/exp-a-run-0', { 'X-Trackstream-Token': covered });
    expect([fresh.status, fresh.headers.get('x-trackstream-stale')]).toEqual([200, 'false']);
    const history = await get('/v1/runs/spiky/metrics/loss', { 'X-Trackstream-Token': covered });
    expect(history.headers.get('x-trackstream-stale')).toBe('false');

    const ahead = encodePositionsToken({ topic: TOPIC, positions: { 0: String(seeded) } });
    const started = Date.now();
    const stale = await get('/v1/runs/exp-a-run-0', { 'X-Trackstream-Token': ahead });
    expect([stale.status, stale.headers.get('x-trackstream-stale')]).toEqual([200, 'true']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_MS - 20);
    expect(Date.now() - started).toBeLessThan(WAIT_MS + 2000);

    expect(fresh.headers.get('x-trackstream-stale')).toBe('false');
    const bad = await get('/v1/runs/exp-a-run-0', { 'X-Trackstream-Token': 'garbage' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'TOKEN_INVALID']);
    const otherTopic = await get('/v1/runs/exp-a-run-0', { 'X-Trackstream-Token': encodePositionsToken({ topic: 'elsewhere', positions: { 0: '0' } }) });
    expect(otherTopic.body.error.code).toBe('TOKEN_INVALID');
  });
});

describe('hostile identifiers', () => {
  it('reach the stores as values, never as SQL', async () => {
    const hostile = ["x'; DROP TABLE runs; --", 'a\\b', '🚀 ünïcødé', "' OR '1'='1"];
    for (const h of hostile) {
      const e = encodeURIComponent(h);
      expect((await get(`/v1/runs/${e}`)).body.error.code).toBe('RUN_NOT_FOUND');
      expect((await get(`/v1/experiments/${e}`)).body.error.code).toBe('EXPERIMENT_NOT_FOUND');
      expect((await get(`/v1/runs/spiky/metrics/${e}`)).body).toEqual({ points: [], downsampled: false });
      expect((await post('/v1/runs/compare', { run_ids: ['spiky'], metric_keys: [h] })).body.metrics[h]).toMatchObject({ best_run_id: null });
    }
    expect((await get('/v1/runs/exp-a-run-0')).status).toBe(200);
  });
});

describe('service endpoints', () => {
  it('serves /healthz, /openapi.json, /metrics by route template, and JSON 404s', async () => {
    expect((await get('/healthz')).body).toEqual({ status: 'ok', postgres: true, clickhouse: true });
    expect((await get('/openapi.json')).body.openapi).toMatch(/^3\./);
    const text = await (await fetch(base + '/metrics')).text();
    expect(text).toMatch(/trackstream_query_request_seconds_count\{[^}]*route="\/v1\/runs\/:run_id"/);
    expect(text).toMatch(/trackstream_query_search_seconds_count/);
    expect(text).toMatch(/trackstream_query_stale_reads_total\{[^}]*route="\/v1\/runs\/:run_id"[^}]*\} [1-9]/);
    const missing = await get('/v2/nothing');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });
});
