// Artifact store benchmark THROUGH THE SERVICE: services/artifact-store (its own process) with the Postgres projector
// (its own process) on a bench topic and schema; 1 GiB streamed PUT and GET over HTTP on loopback, local directory and
// SeaweedFS S3 backends; MB/s and the service's peak RSS (VmHWM from /proc).
// Usage: node bench/artifacts/service.mjs [--size-mib 1024 --backends file,s3]
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import pg from '../../node_modules/pg/lib/index.js';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { KafkaEventLog, createKafkaClient, ensureTopic } from '../../packages/kafka/dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const SIZE = Number(arg('size-mib', '1024')) * 1024 * 1024;
const BACKENDS = arg('backends', 'file,s3').split(',');
const REPO = resolve(import.meta.dirname, '../..');
const STACK = join(REPO, 'deploy/local/stack.sh');
const envOf = (...a) => Object.fromEntries(execFileSync('bash', [STACK, 'env', ...a], { encoding: 'utf8' }).trim().split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const stack = envOf();
const s3 = envOf('seaweedfs');
const stamp = Date.now();
const schema = `bench_art_${stamp}`;
const topic = `bench-art-${stamp}`;
const noop = { debug() {}, info() {}, warn() {}, error() {}, child() { return noop; } };
const freePort = () => new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mbps = (bytes, ms) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;

function generated(n) {
  let sent = 0;
  const chunk = Buffer.alloc(1 << 20);
  return new Readable({ read() { if (sent >= n) return void this.push(null); const len = Math.min(chunk.length, n - sent); chunk.fill((sent >> 20) % 251); sent += len; this.push(Buffer.from(chunk.subarray(0, len))); } });
}
function http(method, port, path, { body, length } = {}) {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: length === undefined ? {} : { 'content-length': String(length) } }, (r) => {
      let bytes = 0; const chunks = [];
      r.on('data', (c) => { bytes += c.length; if (chunks.length < 64) chunks.push(c); });
      r.on('end', () => res({ status: r.statusCode, bytes, text: Buffer.concat(chunks).toString('utf8').slice(0, 2000) }));
    });
    req.on('error', rej);
    if (body) body.pipe(req); else req.end();
  });
}
const vmHwmMiB = async (pid) => Math.round(Number(/VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);

const base = { ...process.env, ...stack, TRACKSTREAM_PG_SCHEMA: schema, TRACKSTREAM_EVENTS_TOPIC: topic, TRACKSTREAM_DLQ_TOPIC: `${topic}-dlq`, TRACKSTREAM_AUTH: 'off', TRACKSTREAM_LOG_LEVEL: 'warn' };
const children = [];
const start = (script, args, env) => { const c = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] }); children.push(c); return c; };

const kafka = createKafkaClient({ clientId: 'bench-artifacts', brokers: stack.TRACKSTREAM_KAFKA_BROKERS.split(','), logger: noop, logLevel: 'error' });
await ensureTopic(kafka, { topic });
const projector = start(join(REPO, 'services/projector/dist/main.js'), ['--projection', 'postgres'], { ...base, TRACKSTREAM_PROJECTOR_GROUP_ID: `bench-${stamp}`, TRACKSTREAM_PROJECTOR_POSTGRES_PORT: String(await freePort()) });
const log = new KafkaEventLog({ kafka, topic, logger: noop });
const t0 = Date.now();
await log.append([{ event_id: randomUUID(), project: 'bench', experiment_id: 'bench-exp', run_id: 'bench-run', occurred_at: t0, received_at: t0, principal: 'bench', type: 'run_started', payload: { run_name: null, user: null, parent_run_id: null, source: { git_commit: null, git_branch: null, git_dirty: null, entry_point: null, host: null }, start_time: t0, tags: {}, context: {} } }]);
await log.close();

const results = { sizeBytes: SIZE, node: process.version, through: 'services/artifact-store over HTTP (loopback), Postgres projector, Kafka', backends: {} };
try {
  for (const kind of BACKENDS) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-art-svc-'));
    const url = kind === 'file' ? `file://${dir}` : `s3://${s3.TRACKSTREAM_S3_BUCKET}/bench-svc-${stamp}`;
    if (kind === 's3') {
      // The service never creates buckets; the bench makes sure the stack's bucket exists.
      const c = new S3Client({ endpoint: s3.TRACKSTREAM_S3_ENDPOINT, region: s3.TRACKSTREAM_S3_REGION, forcePathStyle: true, credentials: { accessKeyId: s3.AWS_ACCESS_KEY_ID, secretAccessKey: s3.AWS_SECRET_ACCESS_KEY } });
      await c.send(new CreateBucketCommand({ Bucket: s3.TRACKSTREAM_S3_BUCKET })).catch(() => undefined);
      c.destroy();
    }
    const port = await freePort();
    const svc = start(join(REPO, 'services/artifact-store/dist/main.js'), [], { ...base, ...(kind === 's3' ? s3 : {}), TRACKSTREAM_ARTIFACTS_URL: url, TRACKSTREAM_ARTIFACT_PORT: String(port), TRACKSTREAM_ARTIFACT_HOST: '127.0.0.1' });
    // Ready once the run is projected and a small upload goes through.
    for (let i = 0; ; i++) {
      const r = await http('PUT', port, '/v1/runs/bench-run/artifacts/ready.txt', { body: Readable.from([Buffer.from('ok')]), length: 2 }).catch(() => ({ status: 0 }));
      if (r.status === 201) break;
      if (i > 120) throw new Error(`service not ready: ${r.status} ${r.text ?? ''}`);
      await sleep(500);
    }
    let t = performance.now();
    const up = await http('PUT', port, '/v1/runs/bench-run/artifacts/big/1gib.bin', { body: generated(SIZE), length: SIZE });
    const upMs = performance.now() - t;
    if (up.status !== 201) throw new Error(`upload ${up.status} ${up.text}`);
    t = performance.now();
    const down = await http('GET', port, '/v1/runs/bench-run/artifacts/big/1gib.bin');
    const downMs = performance.now() - t;
    if (down.bytes !== SIZE) throw new Error(`download ${down.status}: ${down.bytes} bytes`);
    results.backends[kind] = { uploadMBps: mbps(SIZE, upMs), uploadSeconds: Math.round(upMs) / 1000, downloadMBps: mbps(SIZE, downMs), downloadSeconds: Math.round(downMs) / 1000, servicePeakRssMiB: await vmHwmMiB(svc.pid) };
    console.log(kind, JSON.stringify(results.backends[kind]));
    svc.kill('SIGTERM');
    await new Promise((r) => svc.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await sleep(500);
  const client = new pg.Client({ connectionString: stack.TRACKSTREAM_PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, `${topic}-dlq`] }).catch(() => undefined);
  await admin.disconnect();
}
await mkdir(join(REPO, 'bench/results/artifacts'), { recursive: true });
const out = join(REPO, `bench/results/artifacts/service-${new Date().toISOString().slice(0, 16).replace(':', '-')}Z.json`);
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2), '\n→', out);
