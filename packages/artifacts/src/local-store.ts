import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import type { BlobBody, BlobStat, BlobStore, PutExpectations, PutResult, ScratchStat } from './blob-store';
import { assertScratchKey, blobKey, digestOfKey } from './digest';
import { ArtifactStoreError } from './errors';
import { HashingStream } from './hashing';
import { checkExpectations } from './expectations';
import { clampRange, type ByteRange } from './range';

export interface LocalBlobStoreOptions {
  /** The directory that holds blobs/ and scratch/ (created when missing). */
  root: string;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** The BlobStore on a local directory: the embedded default. Publishing is a rename, so a blob is whole or absent. */
export class LocalBlobStore implements BlobStore {
  readonly location: string;
  private readonly root: string;

  constructor(opts: LocalBlobStoreOptions) {
    this.root = opts.root;
    this.location = pathToFileURL(opts.root).href;
  }

  private path(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  private scratchPath(key: string): string {
    return this.path(`scratch/${assertScratchKey(key)}`);
  }

  /** Streams `body` into a new file, flushed to disk; returns its digest and size. The file is removed on failure. */
  private async writeFile(file: string, body: BlobBody): Promise<{ sha256: string; size: number }> {
    await mkdir(dirname(file), { recursive: true });
    const hasher = new HashingStream();
    const handle = await open(file, 'w');
    try {
      await pipeline(Readable.from(body), hasher, createWriteStream('', { fd: handle.fd, autoClose: false, highWaterMark: 1 << 20 }));
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(file).catch(() => undefined);
      throw err;
    }
    await handle.close();
    return { sha256: hasher.sha256, size: hasher.size };
  }

  async put(body: BlobBody, expect: PutExpectations = {}): Promise<PutResult> {
    const staging = this.scratchPath(`staging/${randomUUID()}`);
    const { sha256, size } = await this.writeFile(staging, body);
    try {
      checkExpectations({ sha256, size }, expect);
      const target = this.path(blobKey(sha256));
      const existing = await stat(target).catch((err: unknown) => (isNotFound(err) ? null : Promise.reject(err)));
      if (existing !== null) {
        const now = new Date();
        await utimes(target, now, now);
        return { sha256, size, created: false };
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(staging, target);
      return { sha256, size, created: true };
    } finally {
      await unlink(staging).catch(() => undefined);
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    const file = this.path(blobKey(sha256));
    const st = await stat(file).catch((err: unknown) => {
      if (isNotFound(err)) throw new ArtifactStoreError('BLOB_NOT_FOUND', `no blob ${sha256}`);
      throw err;
    });
    if (range === undefined) return createReadStream(file, { highWaterMark: 1 << 20 });
    const r = clampRange(range, st.size);
    return createReadStream(file, { start: r.start, end: r.end, highWaterMark: 1 << 20 });
  }

  async head(sha256: string): Promise<BlobStat | null> {
    try {
      const st = await stat(this.path(blobKey(sha256)));
      return { sha256, size: st.size, touchedAt: st.mtimeMs };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(sha256: string): Promise<boolean> {
    try {
      await unlink(this.path(blobKey(sha256)));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async *list(): AsyncIterable<BlobStat> {
    for await (const file of walk(this.path('blobs/sha256'))) {
      const sha256 = digestOfKey(relative(this.root, file).split(sep).join('/'));
      if (sha256 === null) continue;
      const st = await stat(file).catch(() => null);
      if (st !== null) yield { sha256, size: st.size, touchedAt: st.mtimeMs };
    }
  }

  uri(sha256: string): string {
    return pathToFileURL(this.path(blobKey(sha256))).href;
  }

  async putScratch(key: string, body: BlobBody): Promise<{ sha256: string; size: number }> {
    const target = this.scratchPath(key);
    const tmp = this.scratchPath(`staging/${randomUUID()}`);
    const written = await this.writeFile(tmp, body);
    await mkdir(dirname(target), { recursive: true });
    await rename(tmp, target);
    return written;
  }

  async getScratch(key: string): Promise<Readable> {
    const file = this.scratchPath(key);
    await stat(file).catch((err: unknown) => {
      if (isNotFound(err)) throw new ArtifactStoreError('BLOB_NOT_FOUND', `no scratch object ${key}`);
      throw err;
    });
    return createReadStream(file, { highWaterMark: 1 << 20 });
  }

  async *listScratch(prefix: string): AsyncIterable<ScratchStat> {
    const base = this.scratchPath(prefix);
    const scratchRoot = this.path('scratch');
    const st = await stat(base).catch(() => null);
    if (st === null) return;
    const files = st.isDirectory() ? walk(base) : one(base);
    for await (const file of files) {
      const fst = await stat(file).catch(() => null);
      if (fst !== null) yield { key: relative(scratchRoot, file).split(sep).join('/'), size: fst.size, modifiedAt: fst.mtimeMs };
    }
  }

  async deleteScratch(prefix: string): Promise<number> {
    let n = 0;
    for await (const _ of this.listScratch(prefix)) n++;
    await rm(this.scratchPath(prefix), { recursive: true, force: true });
    return n;
  }

  async close(): Promise<void> {}
}

async function* one(file: string): AsyncIterable<string> {
  yield file;
}

/** Files under `dir`, depth first, in name order (so listings are stable). */
async function* walk(dir: string): AsyncIterable<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}
