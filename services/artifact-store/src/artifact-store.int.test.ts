import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactCore, LocalBlobStore, MultipartUploads, type BlobStore } from '@trackstream/artifacts';
import { openS3TestStore } from '@trackstream/artifacts/testing';
import { InMemoryTokenStore, TokenValidator } from '@trackstream/auth';
import { KafkaEventLog, createKafkaClient } from '@trackstream/kafka';
import { PostgresSink } from '@trackstream/postgres';
import { ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { TestEvents } from '@trackstream/projection-core/testing';
import { ReadModel } from '@trackstream/read-model';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';
import { createTestPgSchema, createTestTopic, endpointsFromEnv, type TestPgSchema, type TestTopic } from '@trackstream/testkit';
import { createArtifactStoreService, type ArtifactStoreService } from './app';

jest.setTimeout(60_000);

/**
 * The artifact store over the real stack: Kafka (the EventLog), the Postgres projector (a ProjectionRuntime on a
 * topic of this test), the read model, and each backend (a local directory, SeaweedFS's S3 gateway). An artifact is
 * visible once its artifact_logged event is projected; a refused or cut-off upload leaves nothing visible.
 */
let topic: TestTopic;
let dlq: TestTopic;
let db: TestPgSchema;
let sink: PostgresSink;
let runtime: ProjectionRuntime;
let log: KafkaEventLog;
let read: ReadModel;
const ev = new TestEvents('proj-a');
const evB = new TestEvents('proj-b');
const RUN = 'run-art-1';
const RUN_B = 'run-art-b';

beforeAll(async () => {
  topic = await createTestTopic('art_store', 2);
  dlq = await createTestTopic('art_store_dlq', 1);
  db = await createTestPgSchema('art_store');
  sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 2 });
  runtime = new ProjectionRuntime({
    brokers: endpointsFromEnv().kafkaBrokers,
    topic: topic.topic,
    dlqTopic: dlq.topic,
    groupId: `g-${topic.topic}`,
    sink,
    logger: noopLogger,
    metrics: new ProjectorMetrics(createMetricsRegistry('t'), 'postgres'),
    kafkaCommitIntervalMs: 500,
    lagRefreshIntervalMs: 300,
  });
  await runtime.start();
  const kafka = createKafkaClient({ clientId: 'art-store-test', brokers: endpointsFromEnv().kafkaBrokers, logger: noopLogger, logLevel: 'error' });
  log = new KafkaEventLog({ kafka, topic: topic.topic, logger: noopLogger });
  read = ReadModel.open({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: db.schema, clickhouseUrl: endpointsFromEnv().clickhouseUrl });
  const positions = await log.append([ev.experimentCreated('exp-a'), ev.runStarted('exp-a', RUN), evB.experimentCreated('exp-b'), evB.runStarted('exp-b', RUN_B)]);
  expect(await read.waitFor(positions, { postgres: true, clickhouse: false }, 30_000)).toBe(true);
});

afterAll(async () => {
  await runtime?.stop();
  await log?.close();
  await read?.close();
  await sink?.close();
  await db?.cleanup();
  await topic?.cleanup();
  await dlq?.cleanup();
});

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; json: any };

/** A raw HTTP request: the path goes out exactly as written (fetch would normalise `..` away). */
function raw(base: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: text.startsWith('{') ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each([
  ['a local directory', 'run-art-local', async (): Promise<BlobStore> => new LocalBlobStore({ root: await mkdtemp(join(tmpdir(), 'art-store-')) })],
  ['SeaweedFS (S3)', 'run-art-s3', async (): Promise<BlobStore> => openS3TestStore()],
])('artifact store on %s', (_name, RUN, openStore) => {
  let store: BlobStore;
  let service: ArtifactStoreService;
  let base: string;
  const put = (runId: string, path: string, body: Buffer, headers: Record<string, string> = {}) =>
    raw(base, 'PUT', `/v1/runs/${runId}/artifacts/${path}`, { body, headers: { 'content-length': String(body.length), ...headers } });

  beforeAll(async () => {
    expect(await read.waitFor(await log.append([ev.runStarted('exp-a', RUN)]), { postgres: true, clickhouse: false }, 30_000)).toBe(true);
    store = await openStore();
    const core = new ArtifactCore({ store, log, index: read, visibilityWaitMs: 20_000 });
    service = createArtifactStoreService({ core, uploads: new MultipartUploads(core, store), health: async () => ({ postgres: (await read.health()).postgres }) });
    base = (await service.listen()).url;
  });
  afterAll(async () => {
    await service?.close();
    await store?.close();
  });

  it('uploads, downloads whole and by range with ETag and media type, and lists the tree', async () => {
    const model = Buffer.alloc(300_000);
    for (let i = 0; i < model.length; i++) model[i] = (i * 31) % 251;
    const before = (await raw(base, 'GET', '/v1/artifacts/usage')).json;
    const up = await put(RUN, 'models/v1/model.bin', model);
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({ visible: true, created: true, artifact: { path: 'models/v1/model.bin', size_bytes: model.length, sha256: sha(model), media_type: 'application/octet-stream' } });
    expect(up.json.artifact.uri).toContain(sha(model));
    expect(typeof up.headers['x-trackstream-token']).toBe('string');
    const metrics = Buffer.from('{"acc": 0.9}');
    expect((await put(RUN, 'metrics.json', metrics)).status).toBe(201);
    // The same bytes at another path: stored once.
    const again = await put(RUN, 'models/copy.bin', model);
    expect(again.json).toMatchObject({ created: false, visible: true });

    const whole = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/models/v1/model.bin`);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(model)).toBe(true);
    expect(whole.headers.etag).toBe(`"${sha(model)}"`);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    const json = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/metrics.json`);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body.toString()).toBe('{"acc": 0.9}');

    const part = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/models/v1/model.bin`, { headers: { range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${model.length}`);
    expect(part.body.equals(model.subarray(1000, 2000))).toBe(true);
    const tail = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/models/v1/model.bin`, { headers: { range: 'bytes=-10' } });
    expect(tail.body.equals(model.subarray(model.length - 10))).toBe(true);
    const cached = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/metrics.json`, { headers: { 'if-none-match': `"${sha(metrics)}"` } });
    expect(cached.status).toBe(304);
    const head = await raw(base, 'HEAD', `/v1/runs/${RUN}/artifacts/models/v1/model.bin`);
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(model.length), 0]);

    const root = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts`);
    expect(root.json).toEqual({
      root: '',
      files: [
        { path: 'metrics.json', is_dir: false, file_size: metrics.length, sha256: sha(metrics), media_type: 'application/json' },
        { path: 'models', is_dir: true },
      ],
    });
    const models = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts?path=models`);
    expect(models.json.files.map((f: { path: string; is_dir: boolean }) => [f.path, f.is_dir])).toEqual([
      ['models/copy.bin', false],
      ['models/v1', true],
    ]);

    // Dedup figures: three files logged, the model's bytes twice; stored, each distinct blob once.
    const after = (await raw(base, 'GET', '/v1/artifacts/usage')).json;
    expect(after.total.files - before.total.files).toBe(3);
    expect(after.total.bytes_logged - before.total.bytes_logged).toBe(2 * model.length + metrics.length);
    expect(after.total.bytes_logged - after.total.bytes_stored).toBeGreaterThanOrEqual(model.length);
    expect(after.bytes_saved).toBe(after.total.bytes_logged - after.total.bytes_stored);
    const perProject = after.projects.reduce((sum: number, p: { bytes_logged: number }) => sum + p.bytes_logged, 0);
    expect(perProject).toBe(after.total.bytes_logged);
  });

  it('multipart: parts in any order, a retried part, list, complete with checksums (refused when wrong or missing), abort', async () => {
    const jsonReq = (method: string, path: string, body?: unknown) =>
      raw(base, method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const parts = [Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2), Buffer.from('tail')];
    const whole = Buffer.concat(parts);
    const created = await jsonReq('POST', `/v1/runs/${RUN}/uploads`, { path: 'big/data.bin' });
    expect(created.status).toBe(201);
    const id = created.json.upload_id as string;
    const putPart = (n: number, b: Buffer) => raw(base, 'PUT', `/v1/uploads/${id}/parts/${n}`, { body: b, headers: { 'content-length': String(b.length) } });
    expect((await putPart(3, parts[2]!)).json.part).toEqual({ part_number: 3, size: 4, sha256: sha(parts[2]!) });
    expect((await putPart(1, Buffer.alloc(10, 9))).status).toBe(200); // a wrong first try, then the retry replaces it
    expect((await putPart(1, parts[0]!)).status).toBe(200);
    const listed = await jsonReq('GET', `/v1/uploads/${id}/parts`);
    expect(listed.json.parts.map((p: { part_number: number; sha256: string }) => [p.part_number, p.sha256])).toEqual([
      [1, sha(parts[0]!)],
      [3, sha(parts[2]!)],
    ]);
    const claim = parts.map((p, i) => ({ part_number: i + 1, sha256: sha(p) }));
    const missing = await jsonReq('POST', `/v1/uploads/${id}/complete`, { parts: claim });
    expect([missing.status, missing.json.error.code, missing.json.error.details]).toEqual([400, 'INVALID_PART', { part_number: 2, reason: 'MISSING' }]);
    expect((await putPart(2, parts[1]!)).status).toBe(200);
    const wrong = await jsonReq('POST', `/v1/uploads/${id}/complete`, { parts: [claim[0], { part_number: 2, sha256: sha(parts[0]!) }, claim[2]] });
    expect([wrong.status, wrong.json.error.code]).toEqual([400, 'CHECKSUM_MISMATCH']);
    const badWhole = await jsonReq('POST', `/v1/uploads/${id}/complete`, { parts: claim, sha256: sha(parts[0]!) });
    expect([badWhole.status, badWhole.json.error.code]).toEqual([400, 'CHECKSUM_MISMATCH']);
    expect((await raw(base, 'GET', `/v1/runs/${RUN}/artifacts?path=big`)).json.files).toEqual([]);
    const done = await jsonReq('POST', `/v1/uploads/${id}/complete`, { parts: claim, sha256: sha(whole) });
    expect(done.status).toBe(201);
    expect(done.json).toMatchObject({ visible: true, artifact: { path: 'big/data.bin', size_bytes: whole.length, sha256: sha(whole) } });
    expect((await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/big/data.bin`)).body.equals(whole)).toBe(true);
    expect((await jsonReq('GET', `/v1/uploads/${id}/parts`)).json.error.code).toBe('UPLOAD_NOT_FOUND');

    const other = (await jsonReq('POST', `/v1/runs/${RUN}/uploads`, { path: 'big/aborted.bin' })).json.upload_id as string;
    expect((await raw(base, 'PUT', `/v1/uploads/${other}/parts/1`, { body: 'x', headers: { 'content-length': '1' } })).status).toBe(200);
    expect((await jsonReq('DELETE', `/v1/uploads/${other}`)).status).toBe(204);
    expect((await jsonReq('GET', `/v1/uploads/${other}/parts`)).status).toBe(404);
    const badPath = await jsonReq('POST', `/v1/runs/${RUN}/uploads`, { path: '../x' });
    expect([badPath.status, badPath.json.error.code]).toEqual([400, 'INVALID_ARTIFACT_PATH']);
    expect((await jsonReq('POST', `/v1/runs/no-such-run/uploads`, { path: 'x' })).json.error.code).toBe('RUN_NOT_FOUND');
    expect((await raw(base, 'PUT', `/v1/uploads/${'0'.repeat(32)}/parts/1`, { body: 'x', headers: { 'content-length': '1' } })).json.error.code).toBe('UPLOAD_NOT_FOUND');
    const bodyless = await raw(base, 'POST', `/v1/runs/${RUN}/uploads`, { body: '{not json', headers: { 'content-type': 'application/json' } });
    expect([bodyless.status, bodyless.json.error.code]).toEqual([400, 'BAD_REQUEST']);
  });

  it('a cut-off upload leaves nothing visible and no blob', async () => {
    const url = new URL(base);
    const before: string[] = [];
    for await (const b of store.list()) before.push(b.sha256);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`PUT /v1/runs/${RUN}/artifacts/cut/off.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`);
        socket.write(Buffer.alloc(20_000, 7), () => setTimeout(() => socket.destroy(), 200));
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    // The service notices the cut (the projection is waited for by the listing below, which is read-your-writes of nothing).
    await new Promise((r) => setTimeout(r, 500));
    expect((await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/cut/off.bin`)).status).toBe(404);
    expect((await raw(base, 'GET', `/v1/runs/${RUN}/artifacts?path=cut`)).json.files).toEqual([]);
    const after: string[] = [];
    for await (const b of store.list()) after.push(b.sha256);
    expect(after.sort()).toEqual(before.sort());
  });

  it('bad input: a clear 4xx naming the problem, nothing visible', async () => {
    const body = Buffer.from('payload');
    const cases: [string, number, string, string?][] = [
      ['../etc/passwd', 400, 'INVALID_ARTIFACT_PATH', 'DOT_SEGMENT'],
      ['a/%2e%2e/b', 400, 'INVALID_ARTIFACT_PATH', 'DOT_SEGMENT'],
      ['%2Fetc%2Fpasswd', 400, 'INVALID_ARTIFACT_PATH', 'ABSOLUTE'],
      ['a%5Cb', 400, 'INVALID_ARTIFACT_PATH', 'BACKSLASH'],
      ['a%00b', 400, 'INVALID_ARTIFACT_PATH', 'NUL'],
      ['a//b', 400, 'INVALID_ARTIFACT_PATH', 'EMPTY_SEGMENT'],
      ['dir/', 400, 'INVALID_ARTIFACT_PATH', 'EMPTY_SEGMENT'],
      [`${'x'.repeat(256)}/f`, 400, 'INVALID_ARTIFACT_PATH', 'SEGMENT_TOO_LONG'],
      ['bad%zzenc', 400, 'INVALID_ARTIFACT_PATH', 'ENCODING'],
    ];
    for (const [path, status, code, reason] of cases) {
      const a = await put(RUN, path, body);
      expect([path, a.status, a.json?.error?.code, a.json?.error?.details?.reason]).toEqual([path, status, code, reason]);
      expect(a.json.error.message.length).toBeGreaterThan(10);
    }
    const unknown = await put('no-such-run', 'f.txt', body);
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'RUN_NOT_FOUND']);
    const badRun = await put('bad%20run', 'f.txt', body);
    expect([badRun.status, badRun.json.error.code]).toEqual([400, 'INVALID_RUN_ID']);
    // A body longer than announced, caught by the announced digest of the whole file.
    const full = Buffer.from('the whole file');
    const short = await raw(base, 'PUT', `/v1/runs/${RUN}/artifacts/bad/short.txt`, { body: full.subarray(0, 5), headers: { 'content-length': '5', 'x-trackstream-sha256': sha(full) } });
    expect([short.status, short.json.error.code]).toEqual([400, 'CHECKSUM_MISMATCH']);
    const badSha = await put(RUN, 'bad/sha.txt', body, { 'x-trackstream-sha256': 'nothex' });
    expect([badSha.status, badSha.json.error.code]).toEqual([400, 'BAD_REQUEST']);
    expect((await raw(base, 'GET', `/v1/runs/${RUN}/artifacts?path=bad`)).json.files).toEqual([]);

    expect((await put(RUN, 'small.txt', Buffer.from('0123456789'))).status).toBe(201);
    const past = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/small.txt`, { headers: { range: 'bytes=10-20' } });
    expect([past.status, past.json.error.code, past.headers['content-range']]).toEqual([416, 'RANGE_NOT_SATISFIABLE', 'bytes */10']);
    const garbled = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/small.txt`, { headers: { range: 'bytes=5-2' } });
    expect(garbled.status).toBe(416);
    const missing = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/nope.txt`);
    expect([missing.status, missing.json.error.code]).toEqual([404, 'ARTIFACT_NOT_FOUND']);
    const del = await raw(base, 'DELETE', `/v1/runs/${RUN}/artifacts/small.txt`);
    expect(del.status).toBe(404);
  });
});

describe('artifact store access control', () => {
  it('a writer uploads, a reader reads, each only in its project; no token is 401', async () => {
    const tokens = new InMemoryTokenStore();
    const validator = new TokenValidator(tokens, { refreshMs: 50 });
    const writer = (await tokens.create({ principal: 'ada@lab', project: 'proj-a', role: 'writer' })).token;
    const reader = (await tokens.create({ principal: 'rita@lab', project: 'proj-a', role: 'reader' })).token;
    await validator.start();
    const store = new LocalBlobStore({ root: await mkdtemp(join(tmpdir(), 'art-auth-')) });
    const service = createArtifactStoreService({ core: new ArtifactCore({ store, log, index: read }), auth: { mode: 'on', validator } });
    const base = (await service.listen()).url;
    try {
      const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
      const body = Buffer.from('secret');
      const put = (runId: string, t: Record<string, string>) => raw(base, 'PUT', `/v1/runs/${runId}/artifacts/auth.txt`, { body, headers: { 'content-length': '6', ...t } });
      expect((await put(RUN, {})).status).toBe(401);
      expect((await put(RUN, bearer(reader))).json.error.code).toBe('FORBIDDEN');
      expect((await put(RUN_B, bearer(writer))).json.error.code).toBe('RUN_NOT_FOUND');
      const ok = await put(RUN, bearer(writer));
      expect(ok.status).toBe(201);
      expect((await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/auth.txt`, { headers: bearer(writer) })).status).toBe(403);
      const got = await raw(base, 'GET', `/v1/runs/${RUN}/artifacts/auth.txt`, { headers: bearer(reader) });
      expect(got.body.toString()).toBe('secret');
      expect((await raw(base, 'GET', `/v1/runs/${RUN_B}/artifacts`, { headers: bearer(reader) })).status).toBe(404);
    } finally {
      await service.close();
      validator.stop();
      await store.close();
    }
  });
});
