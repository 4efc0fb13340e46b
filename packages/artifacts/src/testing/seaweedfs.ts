import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { S3BlobStore } from '../s3-store';
import { compileArtifactStoreOptions } from '../options';

const REPO = resolve(__dirname, '../../../..');
const STACK = resolve(REPO, 'deploy/local/stack.sh');

export interface S3TestEndpoint {
  endpoint: string;
  region: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

let cached: S3TestEndpoint | null = null;

/**
 * A real S3 server for tests: the SeaweedFS gateway of the local stack, started on first use (idempotent, about 2 s
 * once its binary is cached; the first build takes minutes). TRACKSTREAM_S3_ENDPOINT points tests at another server.
 */
export function s3TestEndpoint(): S3TestEndpoint {
  if (cached !== null) return cached;
  let env: Record<string, string>;
  if (process.env.TRACKSTREAM_TEST_S3_ENDPOINT !== undefined) {
    env = {
      TRACKSTREAM_S3_ENDPOINT: process.env.TRACKSTREAM_TEST_S3_ENDPOINT,
      TRACKSTREAM_S3_REGION: process.env.TRACKSTREAM_S3_REGION ?? 'us-east-1',
      TRACKSTREAM_S3_BUCKET: process.env.TRACKSTREAM_TEST_S3_BUCKET ?? 'trackstream-test',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? '',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? '',
    };
  } else {
    execFileSync('bash', [STACK, 'start', 'seaweedfs'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 15 * 60_000 });
    const out = execFileSync('bash', [STACK, 'env', 'seaweedfs'], { encoding: 'utf8' });
    env = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  }
  cached = {
    endpoint: env.TRACKSTREAM_S3_ENDPOINT!,
    region: env.TRACKSTREAM_S3_REGION!,
    bucket: env.TRACKSTREAM_S3_BUCKET!,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  };
  return cached;
}

/** An artifacts URL with a prefix of its own (tests never see each other's blobs) and the options to reach it. */
export function s3TestUrl(): { url: string; endpoint: string; region: string; credentials: S3TestEndpoint['credentials'] } {
  const e = s3TestEndpoint();
  return { url: `s3://${e.bucket}/test-${randomUUID()}`, endpoint: e.endpoint, region: e.region, credentials: e.credentials };
}

/** A fresh S3BlobStore on its own prefix of the test bucket (created when missing). */
export function openS3TestStore(): S3BlobStore {
  const t = s3TestUrl();
  const opts = compileArtifactStoreOptions({ url: t.url, s3Endpoint: t.endpoint, s3Region: t.region, s3Credentials: t.credentials, s3CreateBucket: true });
  if (opts.kind !== 's3') throw new Error('unreachable');
  return new S3BlobStore(opts);
}
