import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { ClickHouseSink } from '@trackstream/clickhouse';
import { PostgresSink } from '@trackstream/postgres';
import { ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { readCollabTargets } from '@trackstream/read-model';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';
import {
  createTestClickHouseDatabase, createTestPgSchema, createTestTopic, endpointsFromEnv, uniqueName, withDatabase,
  type TestClickHouseDatabase, type TestPgSchema, type TestTopic,
} from '@trackstream/testkit';
import { startKafkaGateway, type RunningGateway } from '@trackstream/ingest-gateway';
import { createQueryApi, type QueryApi } from '@trackstream/query-api';

/**
 * Collaboration as events, end to end (issue 18): notes added, edited and deleted through the gateway (author = the
 * principal), projected by both projectors, read through the query API; bad writes refused with nothing appended;
 * `trackstream audit` shows them and `trackstream replay` into a fresh projection is equal by `trackstream verify`.
 */
jest.setTimeout(180_000);
const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'services', 'cli', 'bin', 'trackstream.mjs');
const PROJECT = 'collab';
const EXPERIMENT = 'exp-collab';
const RUN = 'run-collab-1';
const N1 = randomUUID();
const N2 = randomUUID();

const stack = endpointsFromEnv();
let topic: TestTopic;
let dlq: TestTopic;
let pg: TestPgSchema;
let ch: TestClickHouseDatabase;
let targetsPool: Pool;
let gateway: RunningGateway;
let api: QueryApi;
let gatewayUrl: string;
let apiUrl: string;
const runtimes: ProjectionRuntime[] = [];
const sinks: { close(): Promise<void> }[] = [];
const replayTarget = uniqueName('collab_replay').replace(/[^A-Za-z0-9_]/g, '_');

const envelope = (type: string, runId: string | null, payload: object) =>
  ({ event_id: randomUUID(), type, project: PROJECT, experiment_id: EXPERIMENT, run_id: runId, occurred_at: Date.now(), payload });

async function post(events: object[], principal = 'ada@lab'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gatewayUrl}/v1/events`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-trackstream-principal': principal }, body: JSON.stringify({ events }),
  });
  return { status: res.status, body: await res.json() };
}

async function write(events: object[], principal?: string): Promise<string> {
  const { status, body } = await post(events, principal);
  expect(status).toBe(202);
  return body.token as string;
}

const readRun = async (token: string) => ((await (await fetch(`${apiUrl}/v1/runs/${RUN}`, { headers: { 'X-Trackstream-Token': token } })).json()) as any).run;

async function logEnd(): Promise<number> {
  const kafka = new Kafka({ clientId: 'collab-offsets', brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic.topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

function cli(args: string[]) {
  return run(process.execPath, [BIN, ...args], {
    timeout: 120_000,
    env: {
      ...process.env,
      TRACKSTREAM_KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      TRACKSTREAM_PG_URL: stack.pgUrl,
      TRACKSTREAM_PG_SCHEMA: pg.schema,
      TRACKSTREAM_CLICKHOUSE_URL: withDatabase(stack.clickhouseUrl, ch.database),
      TRACKSTREAM_EVENTS_TOPIC: topic.topic,
      TRACKSTREAM_DLQ_TOPIC: dlq.topic,
      TRACKSTREAM_PROJECTOR_GROUP_PREFIX: `${uniqueName('collab-grp')}-`,
      TRACKSTREAM_LOG_LEVEL: 'error',
      TRACKSTREAM_AUTH: 'off',
    },
  });
}

beforeAll(async () => {
  topic = await createTestTopic('collab', 3);
  dlq = await createTestTopic('collab-dlq', 1);
  pg = await createTestPgSchema('collab');
  ch = await createTestClickHouseDatabase('collab');
  targetsPool = new Pool({ connectionString: stack.pgUrl, max: 2 });
  gateway = await startKafkaGateway({
    brokers: stack.kafkaBrokers, topic: topic.topic, partitions: 3, logger: noopLogger, port: 0, host: '127.0.0.1', auth: { mode: 'off' },
    targets: { lookup: (q) => readCollabTargets(targetsPool, pg.schema, q) },
  });
  gatewayUrl = `http://127.0.0.1:${gateway.address.port}`;
  const pgSink = new PostgresSink({ connectionString: stack.pgUrl, schema: pg.schema });
  const chSink = new ClickHouseSink({ url: ch.url });
  sinks.push(pgSink, chSink);
  for (const [name, sink] of [['postgres', pgSink], ['clickhouse', chSink]] as const) {
    await sink.setup();
    const runtime = new ProjectionRuntime({
      brokers: stack.kafkaBrokers, topic: topic.topic, dlqTopic: dlq.topic, groupId: `g-${name}-${topic.topic}`, sink, logger: noopLogger,
      metrics: new ProjectorMetrics(createMetricsRegistry(`collab-${name}`), name), kafkaCommitIntervalMs: 500, lagRefreshIntervalMs: 1000,
    });
    await runtime.start();
    runtimes.push(runtime);
  }
  api = createQueryApi({ pgUrl: stack.pgUrl, pgSchema: pg.schema, clickhouseUrl: ch.url, eventsTopic: topic.topic, readYourWritesWaitMs: 30_000, auth: { mode: 'off' } });
  apiUrl = (await api.listen()).url;
});

afterAll(async () => {
  for (const r of runtimes) await r.stop().catch(() => undefined);
  for (const s of sinks) await s.close().catch(() => undefined);
  await api?.close();
  await gateway?.stop(1000);
  await targetsPool?.query(`DROP SCHEMA IF EXISTS "${replayTarget}" CASCADE`).catch(() => undefined);
  await ch?.client.command({ query: `DROP DATABASE IF EXISTS \`${replayTarget}\`` }).catch(() => undefined);
  await targetsPool?.end();
  await pg?.cleanup();
  await ch?.cleanup();
  await topic?.cleanup();
  await dlq?.cleanup();
});

test('notes added, edited and deleted through the gateway show in run detail with their author', async () => {
  const first = await write([
    envelope('experiment_created', null, { name: 'collab', description: null, tags: {} }),
    envelope('run_started', RUN, { run_name: 'r', user: 'ada', parent_run_id: null, source: {}, start_time: Date.now(), tags: {}, context: {} }),
    // a note in the same batch as the run it is on: the batch creates its target
    envelope('note_added', RUN, { note_id: N1, text: '# first\nlr looks *high*' }),
  ]);
  // The gateway checks targets against the projection: a later write names the run once it is projected.
  expect((await readRun(first)).notes).toHaveLength(1);
  const token = await write([
    envelope('note_added', RUN, { note_id: N2, text: 'to be deleted' }),
    envelope('note_edited', RUN, { note_id: N1, text: 'lr is fine' }),
    envelope('run_starred', RUN, { starred: true }),
  ], 'bob@lab');
  await readRun(token);
  const t3 = await write([envelope('note_deleted', RUN, { note_id: N2 })], 'bob@lab');
  const r = await readRun(t3);
  expect(r.notes).toEqual([expect.objectContaining({ note_id: N1, author: 'ada@lab', text: 'lr is fine', edited_by: 'bob@lab' })]);
  expect(r.stars).toEqual(['bob@lab']);
});

test('bad collaboration writes are refused naming what is wrong, and nothing is appended', async () => {
  const before = await logEnd();
  const tooLong = await post([envelope('note_added', RUN, { note_id: randomUUID(), text: 'x'.repeat(5001) })]);
  expect(tooLong.status).toBe(400);
  expect(tooLong.body.error.details.problems).toEqual([expect.objectContaining({ path: 'events[0].payload.text', message: 'must be at most 5000 characters (got 5001)' })]);
  const unknownRun = await post([envelope('tags_set', RUN, { tags: { ok: '1' } }), envelope('note_added', 'no-such-run', { note_id: randomUUID(), text: 'hi' })]);
  expect(unknownRun.status).toBe(404);
  expect(unknownRun.body.error).toMatchObject({ code: 'TARGET_NOT_FOUND', details: { problems: [{ index: 1, path: 'events[1].run_id', message: 'no run "no-such-run" in project "collab"' }] } });
  const unknownNote = await post([envelope('note_edited', RUN, { note_id: randomUUID(), text: 'hi' })]);
  expect([unknownNote.status, unknownNote.body.error.code]).toEqual([404, 'TARGET_NOT_FOUND']);
  const deletedNote = await post([envelope('note_edited', RUN, { note_id: N2, text: 'back?' })]);
  expect(deletedNote.status).toBe(404);
  expect(await logEnd()).toBe(before);
});

test('trackstream audit shows the notes; a replay into a fresh projection is equal by trackstream verify', async () => {
  // Every write so far is projected (read-your-writes on the last one), by both projectors.
  const last = await write([envelope('note_added', null, { note_id: randomUUID(), text: 'experiment plan' })]);
  const exp = await fetch(`${apiUrl}/v1/experiments/${EXPERIMENT}/notes`, { headers: { 'X-Trackstream-Token': last } });
  expect(((await exp.json()) as any).notes).toEqual([expect.objectContaining({ text: 'experiment plan', author: 'ada@lab' })]);
  await fetch(`${apiUrl}/v1/runs/${RUN}/metrics/none`, { headers: { 'X-Trackstream-Token': last } });

  const audit = await cli(['audit', '--run', RUN]);
  // Each event's head names who sent it (the author), then what it did.
  expect(audit.stdout).toMatch(new RegExp(`ada@lab  p\\d+@\\d+  note_added\n    note ${N1} added: "# first…"`));
  expect(audit.stdout).toMatch(new RegExp(`bob@lab  p\\d+@\\d+  note_edited\n    note ${N1} edited: "lr is fine"`));
  expect(audit.stdout).toMatch(new RegExp(`bob@lab  p\\d+@\\d+  note_deleted\n    note ${N2} deleted`));

  const expAudit = await cli(['audit', '--experiment', EXPERIMENT]);
  expect(expAudit.stdout).toMatch(/^audit of experiment exp-collab: 2 record\(s\) in the log/);
  expect(expAudit.stdout).toMatch(/ada@lab {2}p\d+@\d+ {2}note_added\n {4}note \S+ added: "experiment plan"/);

  await cli(['replay', '--projection', 'all', '--target', replayTarget]);
  const pgVerify = await cli(['verify', '--projection', 'postgres', '--a', pg.schema, '--b', replayTarget]);
  expect(pgVerify.stdout).toMatch(/notes\s+3\s+3\s+equal/);
  expect(pgVerify.stdout).not.toMatch(/DIFFERENT/);
  const chVerify = await cli(['verify', '--projection', 'clickhouse', '--a', ch.database, '--b', replayTarget]);
  expect(chVerify.stdout).not.toMatch(/DIFFERENT/);
});
