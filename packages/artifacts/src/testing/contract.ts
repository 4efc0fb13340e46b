import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStore } from '../blob-store';
import { ArtifactStoreError } from '../errors';

export interface BlobStoreContractSubject {
  /** A fresh, empty store (its own directory or prefix). */
  open(): Promise<BlobStore>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

export function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** `n` bytes of deterministic content in 1 MiB chunks, generated as read (never held whole). */
export function generated(n: number, seed = 7): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= n) return void this.push(null);
      const len = Math.min(1 << 20, n - sent);
      const chunk = Buffer.alloc(len, (seed + sent / (1 << 20)) % 251);
      sent += len;
      this.push(chunk);
    },
  });
}

async function rejection(p: Promise<unknown>): Promise<ArtifactStoreError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ArtifactStoreError) return err;
    throw err;
  }
  throw new Error('expected an ArtifactStoreError, the call succeeded');
}

/** The BlobStore contract: every adapter passes the same suite (jest globals; call inside a test file). */
export function describeBlobStoreContract(name: string, subject: BlobStoreContractSubject): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    beforeEach(async () => {
      store = await subject.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores a streamed body under its sha256 and gives the same bytes back', async () => {
      const data = randomBytes(300_000);
      const put = await store.put(Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
      expect(put).toEqual({ sha256: sha256Of(data), size: data.length, created: true });
      expect((await readAll(await store.get(put.sha256))).equals(data)).toBe(true);
      expect(await store.head(put.sha256)).toMatchObject({ sha256: put.sha256, size: data.length });
      const hex = put.sha256;
      expect(store.uri(hex).endsWith(`blobs/sha256/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex}`)).toBe(true);
    });

    it('stores the same content once however often it is put', async () => {
      const data = randomBytes(10_000);
      const first = await store.put(Readable.from([data]));
      const second = await store.put(Readable.from([data]));
      expect(first.created).toBe(true);
      expect(second).toEqual({ ...first, created: false });
      expect((await collect(store.list())).map((b) => b.sha256)).toEqual([first.sha256]);
    });

    it('streams a body larger than one multipart part', async () => {
      const size = 12 * 1024 * 1024 + 123;
      const expected = createHash('sha256');
      for await (const c of generated(size)) expected.update(c as Buffer);
      const put = await store.put(generated(size));
      expect(put.sha256).toBe(expected.digest('hex'));
      expect(put.size).toBe(size);
      const back = createHash('sha256');
      let n = 0;
      for await (const c of await store.get(put.sha256)) {
        back.update(c as Buffer);
        n += (c as Buffer).length;
      }
      expect([n, back.digest('hex')]).toEqual([size, put.sha256]);
    });

    it('stores an empty blob', async () => {
      const put = await store.put(Readable.from([]));
      expect(put).toEqual({ sha256: sha256Of(Buffer.alloc(0)), size: 0, created: true });
      expect((await readAll(await store.get(put.sha256))).length).toBe(0);
    });

    it('reads a byte range, cutting an end past the size, and refuses a start past the end', async () => {
      const data = randomBytes(1000);
      const { sha256 } = await store.put(Readable.from([data]));
      expect((await readAll(await store.get(sha256, { start: 10, end: 19 }))).equals(data.subarray(10, 20))).toBe(true);
      expect((await readAll(await store.get(sha256, { start: 990, end: 5000 }))).equals(data.subarray(990))).toBe(true);
      expect((await rejection(store.get(sha256, { start: 1000, end: 1001 }))).code).toBe('RANGE_NOT_SATISFIABLE');
    });

    it('answers a missing blob with BLOB_NOT_FOUND / null / false, and a malformed digest with INVALID_DIGEST', async () => {
      const missing = sha256Of(Buffer.from('never stored'));
      expect((await rejection(store.get(missing))).code).toBe('BLOB_NOT_FOUND');
      expect(await store.head(missing)).toBeNull();
      expect(await store.delete(missing)).toBe(false);
      expect((await rejection(store.get('../../etc/passwd'))).code).toBe('INVALID_DIGEST');
    });

    it('deletes a blob', async () => {
      const { sha256 } = await store.put(Readable.from([Buffer.from('to delete')]));
      expect(await store.delete(sha256)).toBe(true);
      expect(await store.head(sha256)).toBeNull();
      expect(await collect(store.list())).toEqual([]);
    });

    it('keeps nothing when the body is shorter or longer than announced, or hashes otherwise', async () => {
      const data = Buffer.from('announced wrongly');
      expect((await rejection(store.put(Readable.from([data]), { size: data.length + 1 }))).code).toBe('SIZE_MISMATCH');
      expect((await rejection(store.put(Readable.from([data]), { size: data.length - 1 }))).code).toBe('SIZE_MISMATCH');
      expect((await rejection(store.put(Readable.from([data]), { sha256: sha256Of(Buffer.from('other')) }))).code).toBe('CHECKSUM_MISMATCH');
      expect(await collect(store.list())).toEqual([]);
      expect(await collect(store.listScratch('staging'))).toEqual([]);
    });

    it('keeps nothing when the body fails midway (a cut-off upload)', async () => {
      async function* cutOff(): AsyncIterable<Buffer> {
        yield randomBytes(64 * 1024);
        throw new Error('connection reset');
      }
      await expect(store.put(cutOff())).rejects.toThrow('connection reset');
      expect(await collect(store.list())).toEqual([]);
      expect(await collect(store.listScratch('staging'))).toEqual([]);
    });

    it('refreshes the grace clock of a blob that a later put deduplicates onto', async () => {
      const data = randomBytes(100);
      const { sha256 } = await store.put(Readable.from([data]));
      const before = (await store.head(sha256))!.touchedAt;
      await new Promise((r) => setTimeout(r, 1100));
      await store.put(Readable.from([data]));
      expect((await store.head(sha256))!.touchedAt).toBeGreaterThan(before);
    });

    it('keeps scratch objects by key, lists by leading segments only, and deletes by prefix', async () => {
      const a = await store.putScratch('uploads/u1/00001', Readable.from([Buffer.from('part one')]));
      await store.putScratch('uploads/u1/00002', Readable.from([Buffer.from('part two!')]));
      await store.putScratch('uploads/u10/00001', Readable.from([Buffer.from('other upload')]));
      expect(a).toEqual({ sha256: sha256Of(Buffer.from('part one')), size: 8 });
      expect((await readAll(await store.getScratch('uploads/u1/00001'))).toString()).toBe('part one');
      expect((await collect(store.listScratch('uploads/u1'))).map((s) => [s.key, s.size])).toEqual([
        ['uploads/u1/00001', 8],
        ['uploads/u1/00002', 9],
      ]);
      // Re-putting a key replaces it (a retried part).
      await store.putScratch('uploads/u1/00001', Readable.from([Buffer.from('part 1')]));
      expect((await readAll(await store.getScratch('uploads/u1/00001'))).toString()).toBe('part 1');
      expect(await store.deleteScratch('uploads/u1')).toBe(2);
      expect(await collect(store.listScratch('uploads/u1'))).toEqual([]);
      expect((await collect(store.listScratch('uploads/u10'))).length).toBe(1);
      expect((await rejection(store.getScratch('uploads/u1/00001'))).code).toBe('BLOB_NOT_FOUND');
      expect((await rejection(store.putScratch('../escape', Readable.from([])))).code).toBe('INVALID_KEY');
    });
  });
}
