import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobStore } from './blob-store';
import { ArtifactStoreError } from './errors';
import { LocalBlobStore } from './local-store';
import { S3BlobStore } from './s3-store';

export interface ArtifactStoreRawOptions {
  /** `file:///abs/dir`, a plain directory path, or `s3://bucket/prefix`. Default: `<cwd>/.stack/artifacts`. */
  url?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  s3PartSize?: number;
  s3QueueSize?: number;
  s3CreateBucket?: boolean;
}

export type ArtifactStoreOptions =
  | Readonly<{ kind: 'file'; root: string }>
  | Readonly<{ kind: 's3'; bucket: string; prefix: string; endpoint?: string; region: string; credentials?: { accessKeyId: string; secretAccessKey: string }; partSize: number; queueSize: number; createBucket: boolean }>;

export const DEFAULT_ARTIFACTS_DIR = '.stack/artifacts';
const MIN_PART = 5 * 1024 * 1024;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function bad(message: string): never {
  throw new ArtifactStoreError('INVALID_ARTIFACTS_URL', message);
}

/** Raw options → defaults → a frozen description of the backend; the one place an artifacts URL is split. */
export function compileArtifactStoreOptions(raw: ArtifactStoreRawOptions, cwd: string = process.cwd()): ArtifactStoreOptions {
  const url = raw.url ?? '';
  if (url === '') return Object.freeze({ kind: 'file', root: resolve(cwd, DEFAULT_ARTIFACTS_DIR) });
  if (url.startsWith('file:')) {
    let root: string;
    try {
      root = fileURLToPath(url);
    } catch (err) {
      bad(`artifacts URL ${JSON.stringify(url)} is not a valid file URL (file:///absolute/dir): ${(err as Error).message}`);
    }
    return Object.freeze({ kind: 'file', root });
  }
  if (url.startsWith('s3://')) {
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = (slash < 0 ? '' : rest.slice(slash + 1)).replace(/^\/+|\/+$/g, '');
    if (!BUCKET.test(bucket)) bad(`artifacts URL ${JSON.stringify(url)}: bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name`);
    if (prefix.split('/').some((s) => s === '..' || s === '.') || /[\\\0]/.test(prefix)) bad(`artifacts URL ${JSON.stringify(url)}: prefix must not contain . or .. segments, backslashes or NUL`);
    const partSize = raw.s3PartSize ?? 8 * 1024 * 1024;
    if (!Number.isSafeInteger(partSize) || partSize < MIN_PART) bad(`S3 part size must be at least ${MIN_PART} bytes`);
    return Object.freeze({
      kind: 's3',
      bucket,
      prefix,
      ...(raw.s3Endpoint === undefined || raw.s3Endpoint === '' ? {} : { endpoint: raw.s3Endpoint }),
      region: raw.s3Region ?? 'us-east-1',
      ...(raw.s3Credentials === undefined ? {} : { credentials: raw.s3Credentials }),
      partSize,
      queueSize: raw.s3QueueSize ?? 4,
      createBucket: raw.s3CreateBucket ?? false,
    });
  }
  if (url.includes('://')) bad(`artifacts URL ${JSON.stringify(url)}: only file:// and s3:// are supported`);
  return Object.freeze({ kind: 'file', root: isAbsolute(url) ? url : resolve(cwd, url) });
}

/** artifactsFromEnv of @trackstream/config (TRACKSTREAM_ARTIFACTS_URL, TRACKSTREAM_S3_*, AWS_*) as raw options. */
export function artifactsRawFromEnv(cfg: { artifactsUrl: string; s3Endpoint: string; s3Region: string; awsAccessKeyId: string; awsSecretAccessKey: string }): ArtifactStoreRawOptions {
  return {
    url: cfg.artifactsUrl,
    s3Endpoint: cfg.s3Endpoint,
    s3Region: cfg.s3Region,
    ...(cfg.awsAccessKeyId === '' ? {} : { s3Credentials: { accessKeyId: cfg.awsAccessKeyId, secretAccessKey: cfg.awsSecretAccessKey } }),
  };
}

/** The adapter for compiled options. */
export function openBlobStore(opts: ArtifactStoreOptions): BlobStore {
  if (opts.kind === 'file') return new LocalBlobStore({ root: opts.root });
  return new S3BlobStore(opts);
}
