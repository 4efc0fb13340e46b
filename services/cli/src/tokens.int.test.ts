import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { hashToken, TOKEN_PATTERN } from '@trackstream/auth';
import { encodeEvent, eventKey, type StoredEvent } from '@trackstream/events';
import { PostgresSink } from '@trackstream/postgres';
import { TestEvents } from '@trackstream/projection-core/testing';
import { createTestPgSchema, createTestTopic, endpointsFromEnv, type TestPgSchema, type TestTopic } from '@trackstream/testkit';
import { runCli } from './cli';

jest.setTimeout(120_000);

/** `trackstream tokens` and the access checks of replay/verify/export/audit, against the real Postgres and Kafka. */
describe('trackstream tokens and CLI access control (real stack)', () => {
  const stack = endpointsFromEnv();
  let auth: TestPgSchema; // the token store's schema (TRACKSTREAM_AUTH_PG_SCHEMA)
  let topic: TestTopic;
  let dlq: TestTopic;
  const secrets: string[] = []; // every token created: no output may contain one, except create's stdout

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      TRACKSTREAM_KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      TRACKSTREAM_PG_URL: stack.pgUrl,
      TRACKSTREAM_CLICKHOUSE_URL: stack.clickhouseUrl,
      TRACKSTREAM_EVENTS_TOPIC: topic.topic,
      TRACKSTREAM_DLQ_TOPIC: dlq.topic,
      TRACKSTREAM_AUTH_PG_SCHEMA: auth.schema,
      TRACKSTREAM_LOG_LEVEL: 'error',
      ...extra,
    };
  }

  async function cli(args: string[], token?: string, extra: Record<string, string> = {}) {
    const out: string[] = [];
    let err = '';
    const code = await runCli(args, env(token === undefined ? extra : { TRACKSTREAM_TOKEN: token, ...extra }), {
      out: (l) => out.push(l),
      err: { write: (s) => void (err += s) },
    });
    return { code, out, err, text: `${out.join('\n')}\n${err}` };
  }

  function expectNoSecret(text: string, except?: string): void {
    for (const t of secrets) {
      if (t === except) continue;
      expect(text).not.toContain(t.slice(4, 16));
      expect(text).not.toContain(hashToken(t).slice(0, 16));
    }
  }

  async function create(args: string[], token?: string): Promise<string> {
    const r = await cli(['tokens', 'create', ...args], token);
    expect(r.err).toMatch(/cannot be shown again/);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(TOKEN_PATTERN);
    secrets.push(r.out[0]!);
    expect(r.err).not.toContain(r.out[0]!.slice(4, 16));
    return r.out[0]!;
  }

  const idOf = (listed: string[], principal: string) => listed.find((l) => l.split(/\s+/)[1] === principal)!.split(/\s+/)[0]!;

  let admin: string;
  let eventsA: StoredEvent[];

  beforeAll(async () => {
    auth = await createTestPgSchema('cliauth');
    topic = await createTestTopic('cliauth', 2);
    dlq = await createTestTopic('cliauth-dlq', 1);
    const kafka = new Kafka({ clientId: 'cliauth-test', brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    eventsA = new TestEvents('proj-a', 1_763_900_000_000).sampleStream('exp-a', 2);
    const eventsB = new TestEvents('proj-b', 1_763_900_000_000).sampleStream('exp-b', 2);
    await producer.send({ topic: topic.topic, acks: -1, messages: [...eventsA, ...eventsB].map((e) => ({ key: eventKey(e), value: encodeEvent(e) })) });
    await producer.disconnect();
  });

  afterAll(async () => {
    await auth?.cleanup();
    await topic?.cleanup();
    await dlq?.cleanup();
  });

  it('bootstrap, create, list, revoke: a round trip; tokens are printed once and never listed', async () => {
    // Nothing exists: a non-admin token cannot be bootstrapped, and list needs a token.
    const noToken = await cli(['tokens', 'list']);
    expect(noToken.code).toBe(3);
    expect(noToken.err).toMatch(/needs a token: set TRACKSTREAM_TOKEN/);
    expect((await cli(['tokens', 'create', '--principal', 'x', '--project', 'proj-a', '--role', 'reader'])).code).toBe(3);

    admin = await create(['--principal', 'root@lab', '--project', '*', '--role', 'admin']);
    const second = await cli(['tokens', 'create', '--principal', 'eve', '--project', '*', '--role', 'admin']);
    expect(second.code).toBe(3); // an active admin exists: no more bootstrap
    expect(second.out).toEqual([]);

    const reader = await create(['--principal', 'ada@lab', '--project', 'proj-a', '--role', 'reader', '--rate', '50', '--expires', '90d'], admin);
    const listed = await cli(['tokens', 'list'], admin);
    expect(listed.code).toBe(0);
    expect(listed.out[0]).toMatch(/^TOKEN_ID\s+PRINCIPAL\s+PROJECT\s+ROLE\s+RATE\s+CREATED\s+EXPIRES\s+REVOKED$/);
    expect(listed.out).toHaveLength(3);
    const row = listed.out.find((l) => l.includes('ada@lab'))!.split(/\s+/);
    expect(row).toEqual([expect.stringMatching(/^tk_/), 'ada@lab', 'proj-a', 'reader', '50', expect.stringMatching(/^20\d\d-/), expect.stringMatching(/^20\d\d-/), '-']);
    expectNoSecret(listed.text);

    const id = idOf(listed.out, 'ada@lab');
    const revoked = await cli(['tokens', 'revoke', id], admin);
    expect(revoked.code).toBe(0);
    expect(revoked.out[0]).toMatch(new RegExp(`^revoked ${id} \\(ada@lab, reader of proj-a\\) at 20`));
    const after = await cli(['tokens', 'list'], admin);
    expect(after.out.find((l) => l.startsWith(id))!.split(/\s+/)[7]).toMatch(/^20\d\d-/);
    expect((await cli(['tokens', 'revoke', id], admin)).code).toBe(0); // idempotent

    // The revoked token is refused.
    const refused = await cli(['tokens', 'list'], reader);
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(/TRACKSTREAM_TOKEN refused: token tk_\S+ of ada@lab was revoked/);
    expectNoSecret(refused.text);

    const unknown = await cli(['tokens', 'revoke', 'tk_nosuchtoken000000'], admin);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no token with id "tk_nosuchtoken000000"/);
  });

  it('bad arguments are usage errors naming the flag; nothing is created', async () => {
    const before = (await cli(['tokens', 'list'], admin)).out.length;
    const role = await cli(['tokens', 'create', '--principal', 'x', '--project', 'proj-a', '--role', 'owner'], admin);
    expect(role.code).toBe(2);
    expect(role.err).toMatch(/--role must be one of writer, reader, auditor, admin/);
    const project = await cli(['tokens', 'create', '--principal', 'x', '--project', 'a/b', '--role', 'reader'], admin);
    expect(project.code).toBe(2);
    expect(project.err).toMatch(/--project must match/);
    const past = await cli(['tokens', 'create', '--principal', 'x', '--project', 'proj-a', '--role', 'reader', '--expires', '2001-01-01T00:00:00Z'], admin);
    expect(past.code).toBe(2);
    expect(past.err).toMatch(/--expires .* is not in the future/);
    const rate = await cli(['tokens', 'create', '--principal', 'x', '--project', 'proj-a', '--role', 'reader', '--rate', '-1'], admin);
    expect(rate.code).toBe(2);
    expect((await cli(['tokens', 'frobnicate'], admin)).code).toBe(2);
    expect((await cli(['tokens', 'create', '--help'])).out.join('\n')).toMatch(/usage: trackstream tokens create/);
    expect((await cli(['tokens', 'list'], admin)).out).toHaveLength(before);
  });

  it('an unknown or garbled TRACKSTREAM_TOKEN is refused (exit 3) without being echoed', async () => {
    const forged = 'tsk_' + 'Q'.repeat(43);
    secrets.push(forged);
    const r = await cli(['export', '--run', 'exp-a-run-0'], forged);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/TRACKSTREAM_TOKEN refused: unknown token/);
    expectNoSecret(r.text);
    const garbage = await cli(['export', '--run', 'exp-a-run-0'], 'hunter2-not-a-token');
    expect(garbage.code).toBe(3);
    expect(garbage.err).not.toContain('hunter2');
  });

  it('export and audit need the audit capability: reader and writer tokens are refused', async () => {
    const reader = await create(['--principal', 'rita', '--project', 'proj-a', '--role', 'reader'], admin);
    const writer = await create(['--principal', 'sweep-bot', '--project', 'proj-a', '--role', 'writer'], admin);
    for (const t of [reader, writer]) {
      const e = await cli(['export', '--run', 'exp-a-run-0'], t);
      expect(e.code).toBe(3);
      expect(e.err).toMatch(/export needs a token with the audit capability \(auditor or admin\); token tk_\S+ of (rita|sweep-bot)/);
      expect(e.out).toEqual([]);
      expect((await cli(['audit', '--run', 'exp-a-run-0'], t)).code).toBe(3);
      expectNoSecret(e.text);
    }
  });

  it("an auditor of A exports and audits A's runs; B's run and experiment are \"not found\", as if absent", async () => {
    const auditorA = await create(['--principal', 'audrey', '--project', 'proj-a', '--role', 'auditor'], admin);
    const own = await cli(['export', '--run', 'exp-a-run-1'], auditorA);
    expect(own.code).toBe(0);
    expect(own.out.map((l) => (JSON.parse(l) as { event_id: string }).event_id)).toEqual(eventsA.filter((e) => e.run_id === 'exp-a-run-1').map((e) => e.event_id));
    expect((await cli(['audit', '--run', 'exp-a-run-1'], auditorA)).code).toBe(0);

    const other = await cli(['export', '--run', 'exp-b-run-1'], auditorA);
    const absent = await cli(['export', '--run', 'no-such-run'], auditorA);
    expect(other.code).toBe(1);
    expect(other.out).toEqual([]);
    expect(other.err).toBe(absent.err.replace('no-such-run', 'exp-b-run-1'));
    const otherExp = await cli(['export', '--experiment', 'exp-b'], auditorA);
    expect(otherExp.code).toBe(1);
    expect(otherExp.err).toMatch(/no events for experiment exp-b/);
    const otherAudit = await cli(['audit', '--run', 'exp-b-run-0'], auditorA);
    expect(otherAudit.code).toBe(1);
    expect(otherAudit.out).toEqual([]);

    // An auditor of every project sees B.
    const auditorAll = await create(['--principal', 'carol', '--project', '*', '--role', 'auditor'], admin);
    const b = await cli(['export', '--experiment', 'exp-b'], auditorAll);
    expect(b.code).toBe(0);
    expect(b.out.length).toBeGreaterThan(0);
  });

  it("replay and verify need an auditor (or admin) of '*'", async () => {
    const auditorA = await create(['--principal', 'ann', '--project', 'proj-a', '--role', 'auditor'], admin);
    const replay = await cli(['replay', '--projection', 'postgres'], auditorA);
    expect(replay.code).toBe(3);
    expect(replay.err).toMatch(/replay needs a token with the audit capability for every project \('\*'\)/);
    expect((await cli(['replay', '--projection', 'postgres'])).code).toBe(3);

    const a: TestPgSchema = await createTestPgSchema('cliauth_va');
    const b: TestPgSchema = await createTestPgSchema('cliauth_vb');
    try {
      for (const s of [a, b]) {
        const sink = new PostgresSink({ connectionString: stack.pgUrl, schema: s.schema });
        await sink.setup();
        await sink.close();
      }
      const refused = await cli(['verify', '--projection', 'postgres', '--a', a.schema, '--b', b.schema], auditorA);
      expect(refused.code).toBe(3);
      const auditorAll = await create(['--principal', 'vic', '--project', '*', '--role', 'auditor'], admin);
      const ok = await cli(['verify', '--projection', 'postgres', '--a', a.schema, '--b', b.schema], auditorAll);
      expect(ok.err).toBe('');
      expect(ok.code).toBe(0);
      expect((await cli(['verify', '--projection', 'postgres', '--a', a.schema, '--b', b.schema], admin)).code).toBe(0);
      // TRACKSTREAM_AUTH=off: no token needed.
      expect((await cli(['verify', '--projection', 'postgres', '--a', a.schema, '--b', b.schema], undefined, { TRACKSTREAM_AUTH: 'off' })).code).toBe(0);
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });

  it("an admin of one project manages only that project's tokens", async () => {
    const projAdmin = await create(['--principal', 'pat', '--project', 'proj-a', '--role', 'admin'], admin);
    await create(['--principal', 'bob-b', '--project', 'proj-b', '--role', 'reader'], admin);
    const forB = await cli(['tokens', 'create', '--principal', 'x', '--project', 'proj-b', '--role', 'reader'], projAdmin);
    expect(forB.code).toBe(3);
    expect(forB.out).toEqual([]);
    expect((await cli(['tokens', 'create', '--principal', 'x', '--project', '*', '--role', 'reader'], projAdmin)).code).toBe(3);
    await create(['--principal', 'amy-a', '--project', 'proj-a', '--role', 'writer'], projAdmin);
    const listed = await cli(['tokens', 'list'], projAdmin);
    const projects = new Set(listed.out.slice(1).map((l) => l.split(/\s+/)[2]));
    expect(projects).toEqual(new Set(['proj-a']));
    const all = await cli(['tokens', 'list'], admin);
    const bId = idOf(all.out, 'bob-b');
    const revokeB = await cli(['tokens', 'revoke', bId], projAdmin);
    expect(revokeB.code).toBe(1);
    expect(revokeB.err).toMatch(/no token with id/);
    expect((await cli(['tokens', 'list'], admin)).out.find((l) => l.startsWith(bId))!.split(/\s+/)[7]).toBe('-');
    expectNoSecret(all.text);
  });
});
