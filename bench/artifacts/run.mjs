// Artifact storage benchmark (BlobStore level): 1 GiB streamed put and get on the local directory and on SeaweedFS's
// S3 gateway, MB/s and this process's peak RSS; then N puts of the same 10 MiB file (dedup: stored once).
// Usage: npm run bench:artifacts [-- --size-mib 1024 --dedup 1000 --backends file,s3]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { LocalBlobStore, S3BlobStore, compileArtifactStoreOptions } from '../../packages/artifacts/dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const SIZE = Number(arg('size-mib', '1024')) * 1024 * 1024;
const DEDUP = Number(arg('dedup', '1000'));
const BACKENDS = arg('backends', 'file,s3').split(',');
const REPO = resolve(import.meta.dirname, '../..');

function generated(n, seed) {
  let sent = 0;
  const chunk = Buffer.alloc(1 << 20);
  return new Readable({
    read() {
      if (sent >= n) return void this.push(null);
      const len = Math.min(chunk.length, n - sent);
      chunk.fill((seed + sent / (1 << 20)) % 251);
      sent += len;
      this.push(Buffer.from(chunk.subarray(0, len)));
    },
  });
}
const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const mbps = (bytes, ms) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;

async function open(kind) {
  if (kind === 'file') {
    const root = await mkdtemp(join(tmpdir(), 'bench-artifacts-'));
    return { store: new LocalBlobStore({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
  }
  execFileSync('bash', [join(REPO, 'deploy/local/stack.sh'), 'start', 'seaweedfs'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = Object.fromEntries(execFileSync('bash', [join(REPO, 'deploy/local/stack.sh'), 'env', 'seaweedfs'], { encoding: 'utf8' })
    .trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const opts = compileArtifactStoreOptions({
    url: `s3://${env.TRACKSTREAM_S3_BUCKET}/bench-${Date.now()}`, s3Endpoint: env.TRACKSTREAM_S3_ENDPOINT, s3Region: env.TRACKSTREAM_S3_REGION,
    s3Credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }, s3CreateBucket: true,
  });
  const store = new S3BlobStore(opts);
  return { store, cleanup: async () => { for await (const b of store.list()) await store.delete(b.sha256); await store.close(); } };
}

const results = { sizeBytes: SIZE, dedupRuns: DEDUP, node: process.version, backends: {} };
for (const kind of BACKENDS) {
  const { store, cleanup } = await open(kind);
  try {
    let t = performance.now();
    const put = await store.put(generated(SIZE, 3));
    const upMs = performance.now() - t;
    t = performance.now();
    let n = 0;
    for await (const c of await store.get(put.sha256)) n += c.length;
    const downMs = performance.now() - t;
    if (n !== SIZE) throw new Error(`read ${n} bytes of ${SIZE}`);
    const r = { uploadMBps: mbps(SIZE, upMs), downloadMBps: mbps(SIZE, downMs), peakRssMiB: rssMiB() };
    await store.delete(put.sha256);
    if (kind === 'file' || arg('dedup-s3', 'no') === 'yes') {
      const ten = 10 * 1024 * 1024;
      t = performance.now();
      let created = 0;
      for (let i = 0; i < DEDUP; i++) if ((await store.put(generated(ten, 9))).created) created++;
      const ms = performance.now() - t;
      let stored = 0;
      for await (const b of store.list()) stored += b.size;
      r.dedup = { runs: DEDUP, bytesLogged: DEDUP * ten, bytesStored: stored, blobsCreated: created, ratio: (DEDUP * ten) / stored, seconds: Math.round(ms / 100) / 10, perPutMs: Math.round((ms / DEDUP) * 10) / 10 };
    }
    results.backends[kind] = r;
    process.stderr.write(`${kind}: ${JSON.stringify(r)}\n`);
  } finally {
    await cleanup();
  }
}
console.log(JSON.stringify(results, null, 2));
