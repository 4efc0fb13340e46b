import type { BlobStat, BlobStore, ScratchStat } from './blob-store';

export interface CollectionPlan {
  /** Blobs no event references, untouched for longer than the grace period. */
  blobs: BlobStat[];
  /** Staging objects of puts that never finished (cut-off uploads), older than the grace period. */
  staging: ScratchStat[];
  /** Multipart uploads (`uploads/<id>`) whose newest object is older than the grace period: abandoned. */
  uploads: { id: string; bytes: number }[];
  bytes: number;
}

/**
 * The one garbage-collection rule (pure): a blob goes when nothing references it AND its last put is older than the
 * grace period, so a put whose artifact_logged event is not in the log yet (an upload in flight) is never collected.
 */
export function planCollection(
  blobs: readonly BlobStat[],
  staging: readonly ScratchStat[],
  referenced: ReadonlySet<string>,
  now: number,
  graceMs: number,
  uploadObjects: readonly ScratchStat[] = [],
): CollectionPlan {
  const cutoff = now - graceMs;
  const goneBlobs = blobs.filter((b) => !referenced.has(b.sha256) && b.touchedAt < cutoff);
  const goneStaging = staging.filter((s) => s.modifiedAt < cutoff);
  // An upload is in flight while any of its objects (manifest, parts) is younger than the grace period.
  const byUpload = new Map<string, { newest: number; bytes: number }>();
  for (const o of uploadObjects) {
    const id = o.key.split('/')[1] ?? '';
    const u = byUpload.get(id) ?? { newest: 0, bytes: 0 };
    byUpload.set(id, { newest: Math.max(u.newest, o.modifiedAt), bytes: u.bytes + o.size });
  }
  const goneUploads = [...byUpload].filter(([id, u]) => id !== '' && u.newest < cutoff).map(([id, u]) => ({ id, bytes: u.bytes }));
  const bytes = [...goneBlobs, ...goneStaging].reduce((n, x) => n + x.size, 0) + goneUploads.reduce((n, u) => n + u.bytes, 0);
  return { blobs: goneBlobs, staging: goneStaging, uploads: goneUploads, bytes };
}

export interface CollectOptions {
  /** sha256 digests some event references (from the read model's artifacts). */
  referenced: ReadonlySet<string>;
  graceMs: number;
  dryRun: boolean;
  now?: number;
}

/** Plans (and unless dryRun, carries out) a collection over the store; the plan says what was or would be freed. */
export async function collectGarbage(store: BlobStore, opts: CollectOptions): Promise<CollectionPlan> {
  const blobs: BlobStat[] = [];
  for await (const b of store.list()) blobs.push(b);
  const staging: ScratchStat[] = [];
  for await (const s of store.listScratch('staging')) staging.push(s);
  const uploads: ScratchStat[] = [];
  for await (const u of store.listScratch('uploads')) uploads.push(u);
  const plan = planCollection(blobs, staging, opts.referenced, opts.now ?? Date.now(), opts.graceMs, uploads);
  if (!opts.dryRun) {
    for (const b of plan.blobs) await store.delete(b.sha256);
    for (const s of plan.staging) await store.deleteScratch(s.key);
    for (const u of plan.uploads) await store.deleteScratch(`uploads/${u.id}`);
  }
  return plan;
}
