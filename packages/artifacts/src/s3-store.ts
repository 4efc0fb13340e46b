import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobBody, BlobStat, BlobStore, PutExpectations, PutResult, ScratchStat } from './blob-store';
import { assertScratchKey, blobKey, digestOfKey } from './digest';
import { ArtifactStoreError } from './errors';
import { checkExpectations } from './expectations';
import { HashingStream } from './hashing';
import { clampRange, type ByteRange } from './range';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ('' for the bucket's root); no leading or trailing slash. */
  prefix: string;
  /** A non-AWS endpoint (SeaweedFS, MinIO, …); path-style addressing is used whenever one is given. */
  endpoint?: string;
  region: string;
  /** Explicit credentials; otherwise the AWS SDK's usual chain (AWS_ACCESS_KEY_ID, profiles, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size for streamed puts (bytes; memory held per upload ≈ partSize × queueSize). */
  partSize: number;
  queueSize: number;
  /** Create the bucket when it does not exist (local stacks); off for production buckets. */
  createBucket: boolean;
}

/** CopyObject's limit; larger blobs are published by a multipart copy in parts of COPY_PART bytes. */
const COPY_LIMIT = 5 * 1024 ** 3;
const COPY_PART = 1024 ** 3;

function status(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
}

function isMissing(err: unknown): boolean {
  const s = status(err);
  return s === 404 || (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound'));
}

/** Backend failures that are not the caller's fault become STORE_UNAVAILABLE (retriable); ours pass through. */
function unavailable(err: unknown, what: string): never {
  if (err instanceof ArtifactStoreError) throw err;
  const s = status(err);
  const msg = err instanceof Error ? err.message : String(err);
  throw new ArtifactStoreError('STORE_UNAVAILABLE', `S3 ${what} failed${s === undefined ? '' : ` (HTTP ${s})`}: ${msg}`, { cause: err });
}

/**
 * The BlobStore on any S3 API. A put streams through lib-storage's multipart upload into a staging key while hashing,
 * then a server-side copy publishes it under its digest; a deduplicated put only refreshes the blob's touch marker.
 */
export class S3BlobStore implements BlobStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly opts: S3BlobStoreOptions;
  private bucketChecked: Promise<void> | null = null;

  constructor(opts: S3BlobStoreOptions) {
    this.opts = opts;
    this.location = `s3://${opts.bucket}${opts.prefix === '' ? '' : `/${opts.prefix}`}`;
    this.client = new S3Client({
      region: opts.region,
      ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint, forcePathStyle: true }),
      ...(opts.credentials === undefined ? {} : { credentials: opts.credentials }),
      // Checksums only where S3 requires them: S3-compatible servers do not all accept the newer trailing checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(k: string): string {
    return this.opts.prefix === '' ? k : `${this.opts.prefix}/${k}`;
  }

  private touchKey(sha256: string): string {
    return this.key(`touch/${sha256}`);
  }

  private ready(): Promise<void> {
    this.bucketChecked ??= (async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.opts.bucket }));
      } catch (err) {
        if (!isMissing(err) || !this.opts.createBucket) unavailable(err, `bucket ${this.opts.bucket}`);
        await this.client.send(new CreateBucketCommand({ Bucket: this.opts.bucket })).catch((e: unknown) => unavailable(e, 'CreateBucket'));
      }
    })().catch((err: unknown) => {
      this.bucketChecked = null;
      throw err;
    });
    return this.bucketChecked;
  }

  /** Streams `body` to `key`, hashing on the way; the multipart upload is aborted when the body fails. */
  private async upload(key: string, body: BlobBody): Promise<{ sha256: string; size: number }> {
    await this.ready();
    const hasher = new HashingStream();
    const source = Readable.from(body);
    source.on('error', (err) => hasher.destroy(err));
    const piped = source.pipe(hasher).pipe(new PassThrough({ highWaterMark: 1 << 20 }));
    hasher.on('error', (err) => piped.destroy(err));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.opts.bucket, Key: key, Body: piped },
      partSize: this.opts.partSize,
      queueSize: this.opts.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      // A body that failed is the caller's error, not the backend's.
      if (source.errored !== null || hasher.errored !== null) throw source.errored ?? hasher.errored;
      unavailable(err, `upload of ${key}`);
    }
    return { sha256: hasher.sha256, size: hasher.size };
  }

  private async sizeOf(key: string): Promise<{ size: number; modifiedAt: number } | null> {
    await this.ready();
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      return { size: h.ContentLength ?? 0, modifiedAt: h.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (isMissing(err)) return null;
      unavailable(err, `HeadObject ${key}`);
    }
  }

  private async touch(sha256: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.touchKey(sha256), Body: '' })).catch((e: unknown) => unavailable(e, 'touch'));
  }

  private async copy(from: string, to: string, size: number): Promise<void> {
    const Bucket = this.opts.bucket;
    const CopySource = `${Bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
    if (size <= COPY_LIMIT) {
      await this.client.send(new CopyObjectCommand({ Bucket, Key: to, CopySource }));
      return;
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key: to }));
    try {
      const parts = [];
      for (let start = 0, n = 1; start < size; start += COPY_PART, n++) {
        const end = Math.min(start + COPY_PART, size) - 1;
        const r = await this.client.send(new UploadPartCopyCommand({ Bucket, Key: to, UploadId, PartNumber: n, CopySource, CopySourceRange: `bytes=${start}-${end}` }));
        parts.push({ PartNumber: n, ETag: r.CopyPartResult?.ETag });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key: to, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  async put(body: BlobBody, expect: PutExpectations = {}): Promise<PutResult> {
    const staging = this.key(`scratch/staging/${randomUUID()}`);
    const got = await this.upload(staging, body);
    try {
      checkExpectations(got, expect);
      const target = this.key(blobKey(got.sha256));
      const existing = await this.sizeOf(target);
      await this.touch(got.sha256);
      if (existing !== null) return { ...got, created: false };
      await this.copy(staging, target, got.size).catch((e: unknown) => unavailable(e, `publishing ${target}`));
      return { ...got, created: true };
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: staging })).catch(() => undefined);
    }
  }

  private async read(key: string, range: ByteRange | undefined, what: string): Promise<Readable> {
    const st = await this.sizeOf(key);
    if (st === null) throw new ArtifactStoreError('BLOB_NOT_FOUND', `no ${what}`);
    const r = range === undefined ? undefined : clampRange(range, st.size);
    if (st.size === 0) return Readable.from([]);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.opts.bucket, Key: key, ...(r === undefined ? {} : { Range: `bytes=${r.start}-${r.end}` }) }),
      );
      return out.Body as Readable;
    } catch (err) {
      if (isMissing(err)) throw new ArtifactStoreError('BLOB_NOT_FOUND', `no ${what}`);
      unavailable(err, `GetObject ${key}`);
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    return this.read(this.key(blobKey(sha256)), range, `blob ${sha256}`);
  }

  async head(sha256: string): Promise<BlobStat | null> {
    const st = await this.sizeOf(this.key(blobKey(sha256)));
    if (st === null) return null;
    const touched = await this.sizeOf(this.touchKey(sha256));
    return { sha256, size: st.size, touchedAt: Math.max(st.modifiedAt, touched?.modifiedAt ?? 0) };
  }

  async delete(sha256: string): Promise<boolean> {
    const key = this.key(blobKey(sha256));
    const existed = (await this.sizeOf(key)) !== null;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: key })).catch((e: unknown) => unavailable(e, `DeleteObject ${key}`));
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.touchKey(sha256) })).catch(() => undefined);
    return existed;
  }

  private async *objects(prefix: string): AsyncIterable<{ key: string; size: number; modifiedAt: number }> {
    await this.ready();
    let token: string | undefined;
    do {
      const page = await this.client
        .send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }))
        .catch((e: unknown) => unavailable(e, `ListObjectsV2 ${prefix}`));
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0, modifiedAt: o.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async *list(): AsyncIterable<BlobStat> {
    const touched = new Map<string, number>();
    const touchPrefix = this.key('touch/');
    for await (const o of this.objects(touchPrefix)) touched.set(o.key.slice(touchPrefix.length), o.modifiedAt);
    const root = this.key('');
    for await (const o of this.objects(this.key('blobs/sha256/'))) {
      const sha256 = digestOfKey(o.key.slice(this.opts.prefix === '' ? 0 : root.length));
      if (sha256 !== null) yield { sha256, size: o.size, touchedAt: Math.max(o.modifiedAt, touched.get(sha256) ?? 0) };
    }
  }

  uri(sha256: string): string {
    return `s3://${this.opts.bucket}/${this.key(blobKey(sha256))}`;
  }

  async putScratch(key: string, body: BlobBody): Promise<{ sha256: string; size: number }> {
    return this.upload(this.key(`scratch/${assertScratchKey(key)}`), body);
  }

  async getScratch(key: string): Promise<Readable> {
    return this.read(this.key(`scratch/${assertScratchKey(key)}`), undefined, `scratch object ${key}`);
  }

  async *listScratch(prefix: string): AsyncIterable<ScratchStat> {
    const base = this.key(`scratch/${assertScratchKey(prefix)}`);
    const strip = this.key('scratch/').length;
    const found: ScratchStat[] = [];
    for await (const o of this.objects(base)) {
      // `uploads/ab` must not list `uploads/abc`: the prefix itself, or the prefix as leading segments.
      if (o.key === base || o.key.startsWith(`${base}/`)) found.push({ key: o.key.slice(strip), size: o.size, modifiedAt: o.modifiedAt });
    }
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* found;
  }

  async deleteScratch(prefix: string): Promise<number> {
    let n = 0;
    for await (const o of this.listScratch(prefix)) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.key(`scratch/${o.key}`) })).catch((e: unknown) => unavailable(e, 'DeleteObject'));
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
