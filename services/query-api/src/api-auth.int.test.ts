import { InMemoryTokenStore, TokenValidator } from '@trackstream/auth';
import type { StoredEvent } from '@trackstream/events';
import { TestEvents } from '@trackstream/projection-core/testing';
import { createJsonLogger } from '@trackstream/telemetry';
import { createTestClickHouseDatabase, createTestPgSchema, endpointsFromEnv, pollUntil, type TestClickHouseDatabase, type TestPgSchema, uniqueName } from '@trackstream/testkit';
import { createQueryApi, type QueryApi } from './app';
import { seedProjections } from '@trackstream/query-api/testing';

/**
 * Access control on the query API (issue 9) over projections seeded through the real sinks, with the in-memory
 * token store behind the real TokenValidator (the Postgres store is exercised end to end in test/auth). A reader
 * of proj-a sees proj-a in every route and nothing of proj-b: another project's run or experiment answers
 * exactly like one that does not exist.
 */
const TOPIC = uniqueName('qa-auth-topic');

let pgSchema: TestPgSchema;
let chDb: TestClickHouseDatabase;
let api: QueryApi;
let base: string;
const store = new InMemoryTokenStore();
const validator = new TokenValidator(store, { refreshMs: 50 });
const logLines: string[] = [];
const tokens: Record<'readerA' | 'writerA' | 'auditorB' | 'admin', string> = { readerA: '', writerA: '', auditorB: '', admin: '' };

type Answer = { status: number; headers: Headers; body: any };
const request = async (method: 'GET' | 'POST', path: string, token: string | null, body?: unknown): Promise<Answer> => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
};
const get = (path: string, token: string | null) => request('GET', path, token);
const post = (path: string, body: unknown, token: string | null) => request('POST', path, token, body);

function seedEvents(): StoredEvent[] {
  const a = new TestEvents('proj-a');
  const b = new TestEvents('proj-b');
  return [
    ...a.sampleStream('exp-a', 2),
    ...b.sampleStream('exp-b', 2),
    a.experimentCreated('exp-a-named', { name: 'shared-name' }),
    b.experimentCreated('exp-b-named', { name: 'shared-name' }),
    b.experimentCreated('exp-b-only', { name: 'b-only-name' }),
  ];
}

beforeAll(async () => {
  pgSchema = await createTestPgSchema('qa_auth');
  chDb = await createTestClickHouseDatabase('qa_auth');
  const events = seedEvents();
  await seedProjections({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, topic: TOPIC, events });
  tokens.readerA = (await store.create({ principal: 'rita@lab', project: 'proj-a', role: 'reader' })).token;
  tokens.writerA = (await store.create({ principal: 'ada@lab', project: 'proj-a', role: 'writer' })).token;
  tokens.auditorB = (await store.create({ principal: 'audrey@lab', project: 'proj-b', role: 'auditor' })).token;
  tokens.admin = (await store.create({ principal: 'root@lab', project: '*', role: 'admin' })).token;
  await validator.start();
  api = createQueryApi({
    pgUrl: endpointsFromEnv().pgUrl,
    pgSchema: pgSchema.schema,
    clickhouseUrl: chDb.url,
    eventsTopic: TOPIC,
    readYourWritesWaitMs: 300,
    logger: createJsonLogger({ level: 'info', write: (l) => logLines.push(l) }),
    auth: { mode: 'on', validator },
  });
  base = (await api.listen()).url;
}, 120_000);

afterAll(async () => {
  validator.stop();
  await api?.close();
  await pgSchema?.cleanup();
  await chDb?.cleanup();
});

const ROUTES: [string, () => Promise<Answer>, (t: string | null) => Promise<Answer>][] = [
  ['GET /v1/experiments', async () => get('/v1/experiments', null), (t) => get('/v1/experiments', t)],
  ['GET /v1/experiments/:id', async () => get('/v1/experiments/exp-a', null), (t) => get('/v1/experiments/exp-a', t)],
  ['GET /v1/runs/:run_id', async () => get('/v1/runs/exp-a-run-0', null), (t) => get('/v1/runs/exp-a-run-0', t)],
  ['GET /v1/runs/:run_id/metrics/:key', async () => get('/v1/runs/exp-a-run-0/metrics/loss', null), (t) => get('/v1/runs/exp-a-run-0/metrics/loss', t)],
  ['GET /v1/experiments/:id/events', async () => get('/v1/experiments/exp-a/events', null), (t) => get('/v1/experiments/exp-a/events', t)],
  ['GET /v1/runs/:run_id/events', async () => get('/v1/runs/exp-a-run-0/events', null), (t) => get('/v1/runs/exp-a-run-0/events', t)],
  ['POST /v1/runs/search', async () => post('/v1/runs/search', { experiment_ids: ['exp-a'] }, null), (t) => post('/v1/runs/search', { experiment_ids: ['exp-a'] }, t)],
  ['POST /v1/runs/compare', async () => post('/v1/runs/compare', { run_ids: ['exp-a-run-0'] }, null), (t) => post('/v1/runs/compare', { run_ids: ['exp-a-run-0'] }, t)],
];

describe('every /v1 route needs a token that may read', () => {
  it.each(ROUTES)('%s: 401 without a token, 401 for an unknown one, 403 for a writer token, 200 for a reader', async (_name, anonymous, withToken) => {
    const none = await anonymous();
    expect([none.status, none.body.error.code, none.body.error.details.reason]).toEqual([401, 'UNAUTHENTICATED', 'TOKEN_MISSING']);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const unknown = await withToken(`tsk_${'q'.repeat(43)}`);
    expect([unknown.status, unknown.body.error.details.reason]).toEqual([401, 'TOKEN_UNKNOWN']);
    expect(JSON.stringify(unknown.body)).not.toContain('tsk_');
    const writer = await withToken(tokens.writerA);
    expect([writer.status, writer.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await withToken(tokens.readerA)).status).toBe(200);
  });

  it('authenticates before reading a body: malformed JSON without a token is a 401, with a reader token a 400', async () => {
    const send = (headers: Record<string, string>) =>
      fetch(`${base}/v1/runs/search`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"experiment_ids": [' });
    expect((await send({})).status).toBe(401);
    expect((await send({ authorization: `Bearer ${tokens.readerA}` })).status).toBe(400);
  });

  it('keeps /healthz, /metrics and /openapi.json open', async () => {
    for (const path of ['/healthz', '/metrics', '/openapi.json']) expect((await get(path, null)).status).toBe(200);
  });
});

describe('a reader of proj-a sees proj-a and nothing of proj-b', () => {
  it('run detail: its own run 200; a proj-b run is 404 exactly as an unknown id', async () => {
    expect((await get('/v1/runs/exp-a-run-1', tokens.readerA)).body.run).toMatchObject({ run_id: 'exp-a-run-1', project: 'proj-a' });
    const foreign = await get('/v1/runs/exp-b-run-1', tokens.readerA);
    const unknown = await get('/v1/runs/exp-x-run-1', tokens.readerA);
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'RUN_NOT_FOUND']);
    expect(foreign.body.error.message.replace('exp-b', 'exp-x')).toBe(unknown.body.error.message);
    // The project's own readers (here an auditor of proj-b) and '*' tokens do see it.
    expect((await get('/v1/runs/exp-b-run-1', tokens.auditorB)).status).toBe(200);
    expect((await get('/v1/runs/exp-b-run-1', tokens.admin)).status).toBe(200);
  });

  it('experiments: the list holds only proj-a; a proj-b experiment by id or name is 404; a shared name resolves to proj-a alone', async () => {
    const list = await get('/v1/experiments?max_results=1000', tokens.readerA);
    expect(new Set(list.body.experiments.map((e: { project: string }) => e.project))).toEqual(new Set(['proj-a']));
    expect((await get('/v1/experiments?project=proj-b', tokens.readerA)).body.experiments).toEqual([]);
    const adminList = await get('/v1/experiments?max_results=1000', tokens.admin);
    expect(new Set(adminList.body.experiments.map((e: { project: string }) => e.project))).toEqual(new Set(['proj-a', 'proj-b']));

    for (const idOrName of ['exp-b', 'b-only-name']) {
      const res = await get(`/v1/experiments/${idOrName}`, tokens.readerA);
      expect([res.status, res.body.error.code]).toEqual([404, 'EXPERIMENT_NOT_FOUND']);
    }
    // Both projects have an experiment called shared-name: for the reader of proj-a it is not ambiguous.
    expect((await get('/v1/experiments/shared-name', tokens.readerA)).body.experiment).toMatchObject({ experiment_id: 'exp-a-named', project: 'proj-a' });
    expect((await get('/v1/experiments/shared-name', tokens.admin)).status).toBe(409);
  });

  it('search: only proj-a runs, whatever experiments or projects the body names', async () => {
    const ids = async (body: Record<string, unknown>, token = tokens.readerA) =>
      ((await post('/v1/runs/search', body, token)).body.runs as { run_id: string }[]).map((r) => r.run_id).sort();
    expect(await ids({ experiment_ids: ['exp-a', 'exp-b'] })).toEqual(['exp-a-run-0', 'exp-a-run-1']);
    expect(await ids({ experiment_ids: ['exp-b'] })).toEqual([]);
    expect(await ids({ experiment_ids: ['exp-a', 'exp-b'], projects: ['proj-b'] })).toEqual([]);
    expect(await ids({ experiment_ids: ['exp-a', 'exp-b'], filter: "params.layers = '4' OR attributes.status = 'FINISHED'" })).toEqual(['exp-a-run-0', 'exp-a-run-1']);
    expect(await ids({ experiment_ids: ['exp-a', 'exp-b'] }, tokens.admin)).toEqual(['exp-a-run-0', 'exp-a-run-1', 'exp-b-run-0', 'exp-b-run-1']);
  });

  it('metric history: its own run answers; a proj-b run is 404', async () => {
    expect((await get('/v1/runs/exp-a-run-0/metrics/loss', tokens.readerA)).body.points.length).toBeGreaterThan(0);
    const foreign = await get('/v1/runs/exp-b-run-0/metrics/loss', tokens.readerA);
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'RUN_NOT_FOUND']);
    expect((await get('/v1/runs/exp-b-run-0/metrics/loss', tokens.auditorB)).status).toBe(200);
  });

  it('audit timeline: its own run answers; a proj-b run is 404, as an unknown one', async () => {
    expect((await get('/v1/runs/exp-a-run-0/events', tokens.readerA)).body.events.length).toBeGreaterThan(0);
    const foreign = await get('/v1/runs/exp-b-run-0/events', tokens.readerA);
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'RUN_NOT_FOUND']);
    expect((await get('/v1/runs/exp-b-run-0/events', tokens.auditorB)).status).toBe(200);
    const foreignExperiment = await get('/v1/experiments/exp-b/events', tokens.readerA);
    expect([foreignExperiment.status, foreignExperiment.body.error.code]).toEqual([404, 'EXPERIMENT_NOT_FOUND']);
    expect((await get('/v1/experiments/exp-b/events', tokens.auditorB)).body.events).toHaveLength(1);
  });

  it('compare: any proj-b run id makes it 404 naming that id, the same answer as an unknown id', async () => {
    const ok = await post('/v1/runs/compare', { run_ids: ['exp-a-run-0', 'exp-a-run-1'] }, tokens.readerA);
    expect(ok.status).toBe(200);
    const foreign = await post('/v1/runs/compare', { run_ids: ['exp-a-run-0', 'exp-b-run-0'] }, tokens.readerA);
    const unknown = await post('/v1/runs/compare', { run_ids: ['exp-a-run-0', 'exp-x-run-0'] }, tokens.readerA);
    expect([foreign.status, foreign.body.error.code, foreign.body.error.details]).toEqual([404, 'RUN_NOT_FOUND', { missing: ['exp-b-run-0'] }]);
    expect(JSON.stringify(foreign.body).replace(/exp-b/g, 'exp-x')).toBe(JSON.stringify(unknown.body));
    expect((await post('/v1/runs/compare', { run_ids: ['exp-a-run-0', 'exp-b-run-0'] }, tokens.admin)).status).toBe(200);
  });
});

describe('revocation and accounting', () => {
  it('a revoked reader token is refused (401 TOKEN_REVOKED) once the validator refreshed', async () => {
    const { token, record } = await store.create({ principal: 'temp@lab', project: 'proj-a', role: 'reader' });
    await pollUntil('the new reader is accepted', async () => (await get('/v1/runs/exp-a-run-0', token)).status === 200);
    await store.revoke(record.tokenId);
    await pollUntil('the revoked reader is refused', async () => (await get('/v1/runs/exp-a-run-0', token)).status === 401);
    expect((await get('/v1/runs/exp-a-run-0', token)).body.error.details.reason).toBe('TOKEN_REVOKED');
  });

  it('counts denials by reason and route pattern (never a raw URL), and logs them with who and route, never a token', async () => {
    const text = (await get('/metrics', null)).body as string;
    const lines = text.split('\n').filter((l) => l.startsWith('trackstream_auth_denied_total{'));
    expect(lines.some((l) => l.includes('reason="TOKEN_MISSING"') && l.includes('route="/v1/runs/:run_id"') && l.includes('service="query-api"'))).toBe(true);
    expect(lines.some((l) => l.includes('reason="FORBIDDEN"') && l.includes('route="/v1/runs/search"'))).toBe(true);
    expect(lines.some((l) => l.includes('reason="TOKEN_REVOKED"'))).toBe(true);
    expect(lines.some((l) => /exp-a-run|tsk_/.test(l))).toBe(false);

    const denied = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'access denied');
    expect(denied.find((l) => l.reason === 'FORBIDDEN')).toMatchObject({ level: 'warn', principal: 'ada@lab', tokenId: expect.any(String), route: expect.stringMatching(/^\/v1\//) });
    expect(denied.find((l) => l.reason === 'TOKEN_MISSING')).toMatchObject({ principal: 'unknown' });
    const all = logLines.join('\n');
    for (const token of Object.values(tokens)) expect(all).not.toContain(token);
    expect(all).not.toMatch(/tsk_|Bearer [A-Za-z0-9_-]{8,}/);
  });
});

