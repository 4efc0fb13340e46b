import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ArtifactCaller, ArtifactCore, UploadResult } from './artifact-core';
import { validateArtifactPath } from './artifact-path';
import type { BlobStore } from './blob-store';
import { isSha256 } from './digest';
import { ArtifactStoreError } from './errors';

export const MULTIPART_LIMITS = Object.freeze({ maxParts: 10_000, maxPartBytes: 5 * 1024 ** 3 });

export interface PartInfo {
  part_number: number;
  size: number;
  sha256: string;
}

interface Manifest {
  run_id: string;
  path: string;
  media_type: string | null;
  created_at: number;
}

const UPLOAD_ID = /^[0-9a-f]{32}$/;
const pad = (n: number) => String(n).padStart(5, '0');

async function readAllText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Resumable multipart uploads over the core: parts are scratch objects (`uploads/<id>/parts/<n>`, with their digest
 * beside them), put in any order and idempotently re-put; complete checks the client's list against what arrived,
 * streams the parts in order into one blob (hashed again, checked against the whole file's sha256 when given) and
 * logs it through the core. Nothing is visible before complete; abort, or gc after the grace period, removes the parts.
 */
export class MultipartUploads {
  constructor(
    private readonly core: ArtifactCore,
    private readonly store: BlobStore,
  ) {}

  async create(caller: ArtifactCaller, runId: string, path: string, mediaType?: string): Promise<{ upload_id: string; run_id: string; path: string }> {
    validateArtifactPath(path);
    await this.core.requireRun(caller, runId);
    const id = randomUUID().replace(/-/g, '');
    const manifest: Manifest = { run_id: runId, path, media_type: mediaType ?? null, created_at: Date.now() };
    await this.store.putScratch(`uploads/${id}/manifest.json`, Readable.from([Buffer.from(JSON.stringify(manifest))]));
    return { upload_id: id, run_id: runId, path };
  }

  async putPart(caller: ArtifactCaller, uploadId: string, partNumber: number, body: AsyncIterable<Uint8Array>, expect: { size?: number; sha256?: string } = {}): Promise<PartInfo> {
    await this.manifest(caller, uploadId);
    if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > MULTIPART_LIMITS.maxParts) {
      throw new ArtifactStoreError('INVALID_PART', `part number must be 1..${MULTIPART_LIMITS.maxParts}`, { details: { part_number: partNumber, reason: 'PART_NUMBER' } });
    }
    const key = `uploads/${uploadId}/parts/${pad(partNumber)}`;
    const put = await this.store.putScratch(key, body);
    const wrong =
      expect.size !== undefined && put.size !== expect.size
        ? new ArtifactStoreError('SIZE_MISMATCH', `part ${partNumber} has ${put.size} bytes, ${expect.size} announced`)
        : expect.sha256 !== undefined && put.sha256 !== expect.sha256.toLowerCase()
          ? new ArtifactStoreError('CHECKSUM_MISMATCH', `part ${partNumber} hashes to ${put.sha256}, ${expect.sha256} announced`)
          : null;
    if (wrong !== null) {
      await this.store.deleteScratch(key);
      throw wrong;
    }
    const info: PartInfo = { part_number: partNumber, size: put.size, sha256: put.sha256 };
    await this.store.putScratch(`uploads/${uploadId}/digests/${pad(partNumber)}`, Readable.from([Buffer.from(JSON.stringify(info))]));
    return info;
  }

  async listParts(caller: ArtifactCaller, uploadId: string): Promise<{ upload_id: string; run_id: string; path: string; parts: PartInfo[] }> {
    const m = await this.manifest(caller, uploadId);
    return { upload_id: uploadId, run_id: m.run_id, path: m.path, parts: await this.parts(uploadId) };
  }

  async complete(caller: ArtifactCaller, uploadId: string, claimed: readonly { part_number: number; sha256: string }[], sha256?: string): Promise<UploadResult> {
    const m = await this.manifest(caller, uploadId);
    if (claimed.length === 0) throw new ArtifactStoreError('INVALID_PART', 'complete needs the list of parts', { details: { reason: 'NO_PARTS' } });
    if (sha256 !== undefined && !isSha256(sha256.toLowerCase())) throw new ArtifactStoreError('INVALID_DIGEST', 'sha256 must be 64 hex digits');
    const received = new Map((await this.parts(uploadId)).map((p) => [p.part_number, p]));
    let previous = 0;
    let size = 0;
    for (const c of claimed) {
      if (!Number.isSafeInteger(c.part_number) || c.part_number <= previous) {
        throw new ArtifactStoreError('INVALID_PART', 'parts must be listed once each, in ascending part_number order', { details: { part_number: c.part_number, reason: 'ORDER' } });
      }
      previous = c.part_number;
      const got = received.get(c.part_number);
      if (got === undefined) throw new ArtifactStoreError('INVALID_PART', `part ${c.part_number} was never received`, { details: { part_number: c.part_number, reason: 'MISSING' } });
      if (typeof c.sha256 !== 'string' || got.sha256 !== c.sha256.toLowerCase()) {
        throw new ArtifactStoreError('CHECKSUM_MISMATCH', `part ${c.part_number} was received with sha256 ${got.sha256}, not ${String(c.sha256).slice(0, 64)}`, { details: { part_number: c.part_number } });
      }
      size += got.size;
    }
    const store = this.store;
    async function* concatenated(): AsyncIterable<Uint8Array> {
      for (const c of claimed) yield* (await store.getScratch(`uploads/${uploadId}/parts/${pad(c.part_number)}`)) as AsyncIterable<Uint8Array>;
    }
    const blob = await this.store.put(concatenated(), { size, ...(sha256 === undefined ? {} : { sha256: sha256.toLowerCase() }) });
    const result = await this.core.recordStored(caller, m.run_id, m.path, blob, m.media_type ?? undefined);
    await this.store.deleteScratch(`uploads/${uploadId}`);
    return result;
  }

  async abort(caller: ArtifactCaller, uploadId: string): Promise<void> {
    await this.manifest(caller, uploadId);
    await this.store.deleteScratch(`uploads/${uploadId}`);
  }

  private async parts(uploadId: string): Promise<PartInfo[]> {
    const out: PartInfo[] = [];
    for await (const s of this.store.listScratch(`uploads/${uploadId}/digests`)) {
      out.push(JSON.parse(await readAllText(await this.store.getScratch(s.key))) as PartInfo);
    }
    return out.sort((a, b) => a.part_number - b.part_number);
  }

  /** The upload's manifest, when it exists and its run is the caller's; UPLOAD_NOT_FOUND otherwise. */
  private async manifest(caller: ArtifactCaller, uploadId: string): Promise<Manifest> {
    const missing = () => new ArtifactStoreError('UPLOAD_NOT_FOUND', `no multipart upload ${JSON.stringify(uploadId.slice(0, 40))} (completed, aborted or never created)`);
    if (!UPLOAD_ID.test(uploadId)) throw missing();
    let m: Manifest;
    try {
      m = JSON.parse(await readAllText(await this.store.getScratch(`uploads/${uploadId}/manifest.json`))) as Manifest;
    } catch (err) {
      if ((err as { code?: string }).code === 'BLOB_NOT_FOUND') throw missing();
      throw err;
    }
    await this.core.requireRun(caller, m.run_id).catch((err: unknown) => {
      throw (err as { code?: string }).code === 'RUN_NOT_FOUND' ? missing() : err;
    });
    return m;
  }
}
