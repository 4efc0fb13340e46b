import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { PostgresTokenStore } from '@trackstream/auth';
import { ClickHouseSink } from '@trackstream/clickhouse';
import { topicEndOffsets, createKafkaClient } from '@trackstream/kafka';
import { PostgresSink } from '@trackstream/postgres';
import { ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { AccessDeniedError, Trackstream } from '@trackstream/sdk';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';
import { createTestClickHouseDatabase, createTestPgSchema, createTestTopic, endpointsFromEnv, freePort, pollUntil, type TestClickHouseDatabase, type TestPgSchema, type TestTopic, uniqueName } from '@trackstream/testkit';

/**
 * Issue 9 on the real stack: the BUILT gateway and query API (dist/main.js, `npx tsc -b` first) run as child
 * processes with TRACKSTREAM_AUTH=on, tokens in Postgres (PostgresTokenStore, the test's own auth schema), their
 * stdout/stderr captured to files. They connect to Postgres as a role of their own whose password is random, so
 * the final scan can prove that neither that password nor any token reached a log line.
 *
 * Order matters (one stack per file): writes and project isolation, read scoping, rate limit, revocation, the SDK,
 * then the log scan after the services stopped.
 */
const REFRESH_MS = 500;
const GATEWAY_MAIN = path.resolve(__dirname, '../../services/ingest-gateway/dist/main.js');
const QUERY_MAIN = path.resolve(__dirname, '../../services/query-api/dist/main.js');
const CLI_MAIN = path.resolve(__dirname, '../../services/cli/dist/main.js');

let topic: TestTopic;
let dlq: TestTopic;
let pg: TestPgSchema;
let ch: TestClickHouseDatabase;
let runtimes: ProjectionRuntime[] = [];
let sinks: { close(): Promise<void> }[] = [];
let admin: Pool; // the test's own superuser connection (the stack's default URL)
let rolePool: Pool; // as the services' role
let store: PostgresTokenStore;
const role = uniqueName('ts_e2e_role');
const rolePassword = `pw${randomBytes(16).toString('hex')}`;
const authSchema = uniqueName('auth_e2e');
let roleUrl: string;
let logDir: string;
let gatewayUrl: string;
let queryUrl: string;
const children: { name: string; child: ChildProcess; exited: Promise<number | string | null> }[] = [];

const tokens: Record<string, string> = {};
const tokenIds: Record<string, string> = {};
/** Strings sent as tokens that were not ones (garbled / unknown): they must not be logged either. */
const badCredentials = [`tsk_${randomBytes(32).toString('base64url')}`, `garbled-${randomBytes(8).toString('hex')}`];

function envelope(project: string, experiment: string, type: string, runId: string | null, payload: object) {
  return { event_id: randomUUID(), type, project, experiment_id: experiment, run_id: runId, occurred_at: Date.now(), payload };
}

function runEvents(project: string, experiment: string, runId: string, lr: string) {
  return [
    envelope(project, experiment, 'experiment_created', null, { name: `${experiment}-name`, description: null, tags: {} }),
    envelope(project, experiment, 'run_started', runId, { run_name: runId, user: 'ada', parent_run_id: null, source: {}, start_time: Date.now(), tags: { team: project }, context: {} }),
    envelope(project, experiment, 'params_logged', runId, { params: { lr } }),
    envelope(project, experiment, 'metrics_logged', runId, { points: [0, 1, 2].map((step) => ({ key: 'loss', value: 1 / (step + 1), step, timestamp: Date.now() })) }),
  ];
}

type Answer = { status: number; headers: Headers; body: any };
async function call(url: string, method: 'GET' | 'POST', token: string | null, body?: unknown, rawAuth?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (rawAuth !== undefined) headers.authorization = rawAuth;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
const write = (token: string | null, events: object[], rawAuth?: string) => call(`${gatewayUrl}/v1/events`, 'POST', token, { events }, rawAuth);
const read = (token: string | null, p: string) => call(`${queryUrl}${p}`, 'GET', token);
const query = (token: string | null, p: string, body: unknown) => call(`${queryUrl}${p}`, 'POST', token, body);


function spawnLogged(name: string, main: string, env: Record<string, string>, args: string[] = []): { child: ChildProcess; exited: Promise<number | string | null> } {
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npx tsc -b\` first`);
  const out = fs.openSync(path.join(logDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited };
}

async function startService(name: string, main: string, env: Record<string, string>, url: string): Promise<void> {
  const s = spawnLogged(name, main, env);
  children.push({ name, ...s });
  let exitCode: number | string | null | undefined;
  void s.exited.then((c) => (exitCode = c));
  await pollUntil(
    `${name} answering /healthz`,
    async () => {
      if (exitCode !== undefined) throw new Error(`${name} exited (${String(exitCode)}): ${fs.readFileSync(path.join(logDir, `${name}.log`), 'utf8').slice(-3000)}`);
      try {
        return (await fetch(`${url}/healthz`)).status === 200;
      } catch {
        return false;
      }
    },
    60_000,
  );
}

async function stopChildren(): Promise<void> {
  for (const c of children.splice(0)) {
    c.child.kill('SIGTERM');
    const timer = setTimeout(() => c.child.kill('SIGKILL'), 15_000);
    await c.exited;
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  const { kafkaBrokers, pgUrl } = endpointsFromEnv();
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-auth-e2e-logs-'));
  topic = await createTestTopic('auth_e2e', 3);
  dlq = await createTestTopic('auth_e2e_dlq', 1);
  pg = await createTestPgSchema('auth_e2e');
  ch = await createTestClickHouseDatabase('auth_e2e');

  // Projectors in-process (they are not what this test is about), on the stack's own credentials.
  const pgSink = new PostgresSink({ connectionString: pgUrl, schema: pg.schema });
  const chSink = new ClickHouseSink({ url: ch.url });
  sinks = [pgSink, chSink];
  for (const [name, sink] of [['postgres', pgSink], ['clickhouse', chSink]] as const) {
    await sink.setup();
    const runtime = new ProjectionRuntime({
      brokers: kafkaBrokers,
      topic: topic.topic,
      dlqTopic: dlq.topic,
      groupId: `g-${name}-${topic.topic}`,
      sink,
      logger: noopLogger,
      metrics: new ProjectorMetrics(createMetricsRegistry(`auth-e2e-${name}`), name),
      kafkaCommitIntervalMs: 500,
      lagRefreshIntervalMs: 1000,
    });
    await runtime.start();
    runtimes.push(runtime);
  }

  // The services' own role, with a random password: may read the projection and own the auth schema.
  admin = new Pool({ connectionString: pgUrl, max: 1 });
  const database = decodeURIComponent(new URL(pgUrl).pathname.replace(/^\//, ''));
  await admin.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${rolePassword}'`);
  await admin.query(`GRANT CONNECT, CREATE ON DATABASE "${database}" TO "${role}"`);
  await admin.query(`GRANT USAGE ON SCHEMA "${pg.schema}" TO "${role}"`);
  await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA "${pg.schema}" TO "${role}"`);
  const u = new URL(pgUrl);
  u.username = role;
  u.password = rolePassword;
  roleUrl = u.toString();

  rolePool = new Pool({ connectionString: roleUrl, max: 2 });
  store = new PostgresTokenStore(rolePool, { schema: authSchema });
  await store.migrate();
  const make = async (name: string, input: Parameters<PostgresTokenStore['create']>[0]) => {
    const { token, record } = await store.create(input);
    tokens[name] = token;
    tokenIds[name] = record.tokenId;
  };
  await make('writerA', { principal: 'ada@lab', project: 'proj-a', role: 'writer' });
  await make('writerB', { principal: 'bob@lab', project: 'proj-b', role: 'writer' });
  await make('readerA', { principal: 'rita@lab', project: 'proj-a', role: 'reader' });
  await make('admin', { principal: 'root@lab', project: '*', role: 'admin' });
  await make('limited1', { principal: 'sweep-1', project: 'proj-a', role: 'writer', rateLimitPerSec: 5 });
  await make('limited2', { principal: 'sweep-2', project: 'proj-a', role: 'writer', rateLimitPerSec: 5 });
  await make('doomedWriter', { principal: 'temp-writer', project: 'proj-a', role: 'writer' });
  await make('doomedReader', { principal: 'temp-reader', project: 'proj-a', role: 'reader' });

  const common = {
    TRACKSTREAM_AUTH: 'on',
    TRACKSTREAM_AUTH_PG_SCHEMA: authSchema,
    TRACKSTREAM_AUTH_REFRESH_MS: String(REFRESH_MS),
    TRACKSTREAM_PG_URL: roleUrl,
    TRACKSTREAM_KAFKA_BROKERS: kafkaBrokers.join(','),
    TRACKSTREAM_CLICKHOUSE_URL: ch.url,
    TRACKSTREAM_EVENTS_TOPIC: topic.topic,
    TRACKSTREAM_LOG_LEVEL: 'debug',
  };
  const gatewayPort = await freePort();
  const queryPort = await freePort();
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  queryUrl = `http://127.0.0.1:${queryPort}`;
  // The gateway reads the projection to check the targets of notes (issue 18).
  await startService('ingest-gateway', GATEWAY_MAIN, { ...common, TRACKSTREAM_GATEWAY_PORT: String(gatewayPort), TRACKSTREAM_GATEWAY_HOST: '127.0.0.1', TRACKSTREAM_PG_SCHEMA: pg.schema }, gatewayUrl);
  await startService('query-api', QUERY_MAIN, { ...common, TRACKSTREAM_QUERY_PORT: String(queryPort), TRACKSTREAM_QUERY_HOST: '127.0.0.1', TRACKSTREAM_PG_SCHEMA: pg.schema }, queryUrl);
}, 240_000);

afterAll(async () => {
  await stopChildren();
  for (const r of runtimes) await r.stop().catch(() => undefined);
  for (const s of sinks) await s.close().catch(() => undefined);
  await rolePool?.end().catch(() => undefined);
  if (admin) {
    await admin.query(`DROP SCHEMA IF EXISTS "${authSchema}" CASCADE`).catch(() => undefined);
    await admin.query(`DROP OWNED BY "${role}" CASCADE`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
    await admin.end();
  }
  await pg?.cleanup();
  await ch?.cleanup();
  await topic?.cleanup();
  await dlq?.cleanup();
  if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
}, 120_000);

describe('the gateway enforces write access per project', () => {
  it('a writer of proj-a appends to proj-a; its batch with a proj-b event is 403 and the topic end offsets do not move', async () => {
    expect((await write(tokens.writerA!, runEvents('proj-a', 'exp-a', 'run-a1', '0.1'))).status).toBe(202);
    const kafka = createKafkaClient({ clientId: 'auth-e2e-offsets', brokers: endpointsFromEnv().kafkaBrokers, logger: noopLogger });
    const before = await topicEndOffsets(kafka, topic.topic);
    const mixed = [...runEvents('proj-a', 'exp-a', 'run-a2', '0.2'), ...runEvents('proj-b', 'exp-b', 'run-b-sneaky', '0.3')];
    const refused = await write(tokens.writerA!, mixed);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(refused.body.error.details.problems.map((p: { index: number }) => p.index)).toEqual([4, 5, 6, 7]);
    const onlyB = await write(tokens.writerA!, runEvents('proj-b', 'exp-b', 'run-b-sneaky', '0.3'));
    expect(onlyB.status).toBe(403);
    const reader = await write(tokens.readerA!, runEvents('proj-a', 'exp-a', 'run-a3', '0.3'));
    expect(reader.status).toBe(403);
    expect(await topicEndOffsets(kafka, topic.topic)).toEqual(before);
  });

  it('missing, unknown and garbled tokens are 401 and say which, never echoing what was sent', async () => {
    const cases: [string | null, string | undefined, string][] = [
      [null, undefined, 'TOKEN_MISSING'],
      [badCredentials[0]!, undefined, 'TOKEN_UNKNOWN'],
      [null, `Bearer ${badCredentials[1]}`, 'TOKEN_MALFORMED'],
    ];
    for (const [token, raw, reason] of cases) {
      const res = await write(token, runEvents('proj-a', 'exp-a', 'run-x', '1'), raw);
      expect([res.status, res.body.error.code, res.body.error.details.reason]).toEqual([401, 'UNAUTHENTICATED', reason]);
      for (const secret of badCredentials) expect(JSON.stringify(res.body)).not.toContain(secret);
    }
  });

  it('proj-b gets its own writes; then both projects are projected', async () => {
    expect((await write(tokens.writerB!, runEvents('proj-b', 'exp-b', 'run-b1', '0.5'))).status).toBe(202);
    await pollUntil(
      'both runs visible to an admin token',
      async () => (await read(tokens.admin!, '/v1/runs/run-a1/metrics/loss')).body?.points?.length === 3 && (await read(tokens.admin!, '/v1/runs/run-b1/metrics/loss')).body?.points?.length === 3,
      60_000,
    );
  });
});

describe('the query API shows a reader of proj-a nothing of proj-b', () => {
  it('search', async () => {
    const ids = async (token: string, body: object) => ((await query(token, '/v1/runs/search', body)).body.runs as { run_id: string }[]).map((r) => r.run_id).sort();
    expect(await ids(tokens.readerA!, { experiment_ids: ['exp-a', 'exp-b'] })).toEqual(['run-a1']);
    expect(await ids(tokens.readerA!, { experiment_ids: ['exp-b'], filter: "params.lr = '0.5'" })).toEqual([]);
    expect(await ids(tokens.readerA!, { experiment_ids: ['exp-a', 'exp-b'], projects: ['proj-b'] })).toEqual([]);
    expect(await ids(tokens.admin!, { experiment_ids: ['exp-a', 'exp-b'] })).toEqual(['run-a1', 'run-b1']);
  });

  it('run detail: proj-b run is 404 RUN_NOT_FOUND, as an unknown id', async () => {
    expect((await read(tokens.readerA!, '/v1/runs/run-a1')).body.run).toMatchObject({ run_id: 'run-a1', project: 'proj-a', params: { lr: '0.1' } });
    const foreign = await read(tokens.readerA!, '/v1/runs/run-b1');
    const unknown = await read(tokens.readerA!, '/v1/runs/run-zz');
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'RUN_NOT_FOUND']);
    expect(foreign.body.error.message.replace('run-b1', 'run-zz')).toBe(unknown.body.error.message);
  });

  it('compare: with a proj-b run id it is 404 naming that id', async () => {
    expect((await query(tokens.readerA!, '/v1/runs/compare', { run_ids: ['run-a1'] })).status).toBe(200);
    const foreign = await query(tokens.readerA!, '/v1/runs/compare', { run_ids: ['run-a1', 'run-b1'] });
    expect([foreign.status, foreign.body.error.code, foreign.body.error.details]).toEqual([404, 'RUN_NOT_FOUND', { missing: ['run-b1'] }]);
  });

  it('metric history: proj-b run is 404', async () => {
    expect((await read(tokens.readerA!, '/v1/runs/run-a1/metrics/loss')).body.points).toHaveLength(3);
    const foreign = await read(tokens.readerA!, '/v1/runs/run-b1/metrics/loss');
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'RUN_NOT_FOUND']);
  });

  it('experiments: the list has only proj-a; exp-b by id or name is 404', async () => {
    const list = await read(tokens.readerA!, '/v1/experiments');
    expect(list.body.experiments.map((e: { experiment_id: string }) => e.experiment_id)).toEqual(['exp-a']);
    for (const idOrName of ['exp-b', 'exp-b-name']) {
      const res = await read(tokens.readerA!, `/v1/experiments/${idOrName}`);
      expect([res.status, res.body.error.code]).toEqual([404, 'EXPERIMENT_NOT_FOUND']);
    }
    expect((await read(tokens.admin!, '/v1/experiments/exp-b')).status).toBe(200);
  });

  it("notes (issue 18): a writer of proj-a notes proj-a's run, not proj-b's; a reader may not write; the note shows to proj-a's reader", async () => {
    const note = (project: string, experiment: string, run: string) => envelope(project, experiment, 'note_added', run, { note_id: randomUUID(), text: `note on ${run}` });
    expect((await write(tokens.writerA!, [note('proj-a', 'exp-a', 'run-a1')])).status).toBe(202);
    expect((await write(tokens.writerA!, [note('proj-b', 'exp-b', 'run-b1')])).body.error?.code).toBe('FORBIDDEN');
    expect((await write(tokens.readerA!, [note('proj-a', 'exp-a', 'run-a1')])).status).toBe(403);
    // The run exists only in proj-b: a note claiming it for proj-a names a run proj-a does not have.
    expect((await write(tokens.writerA!, [note('proj-a', 'exp-a', 'run-b1')])).body.error?.code).toBe('TARGET_NOT_FOUND');
    await pollUntil('the note in run detail', async () => (await read(tokens.readerA!, '/v1/runs/run-a1')).body.run?.notes?.length === 1, 30_000);
    expect((await read(tokens.readerA!, '/v1/runs/run-a1')).body.run.notes).toEqual([expect.objectContaining({ author: 'ada@lab', text: 'note on run-a1' })]);
  });

  it('a writer token may not read (403); no token is 401', async () => {
    expect((await read(tokens.writerA!, '/v1/runs/run-a1')).status).toBe(403);
    expect((await read(null, '/v1/runs/run-a1')).status).toBe(401);
    expect((await read(badCredentials[0]!, '/v1/experiments')).status).toBe(401);
  });
});

describe('per-token rate limit on the gateway', () => {
  it('a token over its budget gets 429 RATE_LIMITED with Retry-After; another token is unaffected', async () => {
    const ten = (run: string) => [...runEvents('proj-a', 'exp-rate', run, '1'), ...runEvents('proj-a', 'exp-rate', `${run}-b`, '1'), ...runEvents('proj-a', 'exp-rate', `${run}-c`, '1')].slice(0, 10);
    // 5 events/s → a bucket of 10: the first 10 pass, the next 10 (a moment later) do not.
    expect((await write(tokens.limited1!, ten('run-l1'))).status).toBe(202);
    const limited = await write(tokens.limited1!, ten('run-l2'));
    expect([limited.status, limited.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await write(tokens.limited2!, ten('run-l3'))).status).toBe(202);
    expect((await write(tokens.writerA!, ten('run-l4'))).status).toBe(202);
  });
});

describe('revocation', () => {
  it(`a revoked token stops working in both services within a few refresh periods (${REFRESH_MS} ms)`, async () => {
    expect((await write(tokens.doomedWriter!, runEvents('proj-a', 'exp-a', 'run-doomed', '1'))).status).toBe(202);
    expect((await read(tokens.doomedReader!, '/v1/runs/run-a1')).status).toBe(200);
    await store.revoke(tokenIds.doomedWriter!);
    await store.revoke(tokenIds.doomedReader!);
    // The documented bound is refreshMs + one query; polling allows many periods so a loaded machine cannot flake.
    const bound = 20 * REFRESH_MS;
    await pollUntil('gateway refuses the revoked writer', async () => (await write(tokens.doomedWriter!, runEvents('proj-a', 'exp-a', 'run-doomed-2', '1'))).status === 401, bound);
    await pollUntil('query API refuses the revoked reader', async () => (await read(tokens.doomedReader!, '/v1/runs/run-a1')).status === 401, bound);
    expect((await write(tokens.doomedWriter!, [])).body.error.details.reason).toBe('TOKEN_REVOKED');
    expect((await read(tokens.doomedReader!, '/v1/runs/run-a1')).body.error.details.reason).toBe('TOKEN_REVOKED');
  });
});

describe('the SDK with a token', () => {
  it('sends with a good token; a refused one is a typed error in the finish report with every event kept in the spool, which a later sync delivers', async () => {
    const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-auth-e2e-spool-'));
    try {
      const opts = { url: gatewayUrl, project: 'proj-a', spoolDir, exitHooks: false, recoverSpools: false, captureContext: false, retry: { baseMs: 10, maxMs: 50 } };
      const good = new Trackstream({ ...opts, token: tokens.writerA });
      const run = await good.startRun({ experiment: 'sdk-exp', runId: 'run-sdk-good', params: { lr: 0.1, api_token: tokens.writerA } });
      run.log({ loss: 0.5 }, { step: 0 });
      expect(await run.finish({ timeoutMs: 30_000 })).toMatchObject({ complete: true, error: null });
      await good.close();

      // A token of proj-b writing proj-a: 403, not retried, nothing lost.
      const wrong = new Trackstream({ ...opts, token: tokens.writerB });
      const denied = await wrong.startRun({ experiment: 'sdk-exp', runId: 'run-sdk-denied' });
      denied.log({ loss: 0.25 }, { step: 0 });
      const report = await denied.finish({ timeoutMs: 30_000 });
      expect(report.complete).toBe(false);
      expect(report.error).toBeInstanceOf(AccessDeniedError);
      expect(report.error).toMatchObject({ code: 'SDK_FORBIDDEN', status: 403 });
      expect(report.unsentEvents).toBeGreaterThan(0);
      const closed = await wrong.close({ timeoutMs: 1000 });
      expect(closed.spoolPath).not.toBeNull();

      // As if this process had died (a spool of a live pid is never claimed), then `trackstream sync` (the built
      // CLI): first with the refused token, which sends nothing, then with a good one from TRACKSTREAM_TOKEN.
      for (const f of fs.readdirSync(spoolDir)) fs.renameSync(path.join(spoolDir, f), path.join(spoolDir, f.replace(/\.\d+\.([^.]+\.spool)$/, '.999999.$1')));
      const sync = async (token: string) => {
        const s = spawnLogged('sync', CLI_MAIN, { TRACKSTREAM_URL: gatewayUrl, TRACKSTREAM_SPOOL_DIR: spoolDir, TRACKSTREAM_TOKEN: token, TRACKSTREAM_LOG_LEVEL: 'debug' }, ['sync']);
        return s.exited;
      };
      const refusedSync = await sync(tokens.writerB!);
      if (refusedSync !== 1) throw new Error(`sync exited ${String(refusedSync)}: ${fs.readFileSync(path.join(logDir, 'sync.log'), 'utf8')}`);
      expect(fs.readFileSync(path.join(logDir, 'sync.log'), 'utf8')).toMatch(/403 FORBIDDEN.*trackstream sync/);
      for (const f of fs.readdirSync(spoolDir)) fs.renameSync(path.join(spoolDir, f), path.join(spoolDir, f.replace(/\.\d+\.([^.]+\.spool)$/, '.999998.$1')));
      expect(await sync(tokens.writerA!)).toBe(0);
      expect(fs.readdirSync(spoolDir).filter((f) => f.endsWith('.spool'))).toEqual([]);
      await pollUntil('the synced run is projected', async () => (await read(tokens.readerA!, '/v1/runs/run-sdk-denied')).status === 200, 60_000);
      // The secret-looking param left the process redacted.
      expect((await read(tokens.readerA!, '/v1/runs/run-sdk-good')).body.run.params).toMatchObject({ api_token: '[REDACTED]', lr: '0.1' });
    } finally {
      fs.rmSync(spoolDir, { recursive: true, force: true });
    }
  });
});

describe('hygiene', () => {
  it('denials are counted by reason and route pattern in both services, with no token or id in any label', async () => {
    const gw = (await call(`${gatewayUrl}/metrics`, 'GET', null)).body as string;
    const qa = (await call(`${queryUrl}/metrics`, 'GET', null)).body as string;
    const denials = (text: string) => text.split('\n').filter((l) => l.startsWith('trackstream_auth_denied_total{'));
    expect(denials(gw).some((l) => /service="ingest-gateway"/.test(l) && /reason="FORBIDDEN"/.test(l) && /route="\/v1\/events"/.test(l))).toBe(true);
    expect(denials(gw).some((l) => /reason="RATE_LIMITED"/.test(l))).toBe(true);
    expect(denials(gw).some((l) => /reason="TOKEN_REVOKED"/.test(l))).toBe(true);
    expect(denials(qa).some((l) => /service="query-api"/.test(l) && /reason="TOKEN_REVOKED"/.test(l) && /route="\/v1\/runs\/:run_id"/.test(l))).toBe(true);
    expect(denials(qa).some((l) => /reason="FORBIDDEN"/.test(l))).toBe(true);
    for (const text of [gw, qa]) {
      expect(text).not.toMatch(/tsk_|run-a1|run-b1/);
      for (const t of Object.values(tokens)) expect(text).not.toContain(t);
    }
  });

  it('a scan of every log line the services wrote (including failed starts with bad PG URLs) finds no token and no password', async () => {
    await stopChildren();
    // Startups that fail: a bad URL (config error), an unreachable server, a wrong password. Each names the problem
    // without the password.
    const unreachable = new URL(roleUrl);
    unreachable.port = String(await freePort());
    const wrongPassword = new URL(roleUrl);
    const wrongSecret = `wrong${randomBytes(8).toString('hex')}`;
    wrongPassword.password = wrongSecret;
    const badScheme = `mysql://${role}:${rolePassword}@127.0.0.1/x`;
    const failing: [string, string, string][] = [
      ['gateway-bad-url', GATEWAY_MAIN, badScheme],
      ['query-unreachable', QUERY_MAIN, unreachable.toString()],
      ['gateway-wrong-password', GATEWAY_MAIN, wrongPassword.toString()],
    ];
    for (const [name, main, url] of failing) {
      const { exited } = spawnLogged(name, main, {
        TRACKSTREAM_AUTH: 'on',
        TRACKSTREAM_PG_URL: url,
        TRACKSTREAM_AUTH_PG_SCHEMA: authSchema,
        TRACKSTREAM_GATEWAY_PORT: String(await freePort()),
        TRACKSTREAM_QUERY_PORT: String(await freePort()),
        TRACKSTREAM_KAFKA_BROKERS: endpointsFromEnv().kafkaBrokers.join(','),
        TRACKSTREAM_EVENTS_TOPIC: topic.topic,
        TRACKSTREAM_LOG_LEVEL: 'debug',
      });
      expect(await exited).not.toBe(0);
    }

    const logs = Object.fromEntries(fs.readdirSync(logDir).map((f) => [f.replace(/\.log$/, ''), fs.readFileSync(path.join(logDir, f), 'utf8')]));
    const all = Object.values(logs).join('\n');
    // Not vacuous: the services logged denials with who and where, and the failed starts said why.
    const denied = (text: string) => text.split('\n').filter((l) => l.includes('"access denied"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(denied(logs['ingest-gateway']!)).toContainEqual(expect.objectContaining({ level: 'warn', reason: 'FORBIDDEN', principal: 'ada@lab', route: '/v1/events', tokenId: tokenIds.writerA }));
    expect(denied(logs['ingest-gateway']!)).toContainEqual(expect.objectContaining({ reason: 'RATE_LIMITED', principal: 'sweep-1', tokenId: tokenIds.limited1 }));
    expect(denied(logs['query-api']!)).toContainEqual(expect.objectContaining({ reason: 'FORBIDDEN', principal: 'ada@lab', route: '/v1/runs/:run_id' }));
    expect(denied(logs['query-api']!)).toContainEqual(expect.objectContaining({ reason: 'TOKEN_MISSING', principal: 'unknown' }));
    expect(logs['query-api']).toContain(`${role}:[redacted]@`);
    expect(logs['gateway-bad-url']).toMatch(/TRACKSTREAM_PG_URL/);
    expect(logs['query-unreachable']).toMatch(/failed to start/);
    expect(logs['gateway-wrong-password']).toMatch(/failed to start/);

    for (const [name, secret] of [
      ...Object.entries(tokens),
      ['bad credential 0', badCredentials[0]!],
      ['bad credential 1', badCredentials[1]!],
      ['role password', rolePassword],
      ['wrong password', wrongSecret],
      ['the services\' URL', roleUrl],
    ] as const) {
      if (all.includes(secret)) throw new Error(`${name} appears in the service logs`);
    }
    expect(all).not.toMatch(/tsk_[A-Za-z0-9_-]{8}/);
    expect(all).not.toMatch(/Bearer [A-Za-z0-9_-]{8,}/i);
  }, 120_000);
});
