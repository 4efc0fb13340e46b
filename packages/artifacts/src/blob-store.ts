import type { Readable } from 'node:stream';
import type { ByteRange } from './range';

export type BlobBody = Readable | AsyncIterable<Uint8Array>;

/** What put learned while streaming: the content's digest and size, and whether this put stored it (false: deduplicated). */
export interface PutResult {
  sha256: string;
  size: number;
  created: boolean;
}

export interface PutExpectations {
  /** The upload is rejected (CHECKSUM_MISMATCH) and nothing kept when the content hashes otherwise. */
  sha256?: string;
  /** The upload is rejected (SIZE_MISMATCH) and nothing kept when the body is shorter or longer. */
  size?: number;
}

export interface BlobStat {
  sha256: string;
  size: number;
  /** Last time a put stored or deduplicated onto this blob (ms since epoch): the garbage collector's grace clock. */
  touchedAt: number;
}

export interface ScratchStat {
  key: string;
  size: number;
  modifiedAt: number;
}

/**
 * Content-addressed blob storage (port). Blobs are immutable and named by their sha256; a blob is stored once however
 * often it is put. `put` streams (hashing while writing, never holding the body) into a staging object and publishes it
 * under its digest only when the body ended and matched the expectations: a failed or cut-off put leaves no blob, only
 * scratch that `listScratch('staging')` shows and the garbage collector removes.
 *
 * The scratch area holds named, mutable objects for work in progress (multipart parts): keys are `/`-separated safe
 * segments (assertScratchKey).
 */
export interface BlobStore {
  /** `file:///…` or `s3://bucket/prefix`: where this store keeps its blobs (for logs and artifact URIs). */
  readonly location: string;
  put(body: BlobBody, expect?: PutExpectations): Promise<PutResult>;
  /** The blob's bytes (or the range's); BLOB_NOT_FOUND, RANGE_NOT_SATISFIABLE. */
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  head(sha256: string): Promise<BlobStat | null>;
  /** True when a blob was removed. */
  delete(sha256: string): Promise<boolean>;
  list(): AsyncIterable<BlobStat>;
  /** The URI a blob is reachable at in the backend (`file:///…/blobs/sha256/ab/cd/<hex>` or `s3://…`). */
  uri(sha256: string): string;

  putScratch(key: string, body: BlobBody): Promise<{ sha256: string; size: number }>;
  getScratch(key: string): Promise<Readable>;
  /** Objects under `prefix` (a key or a key's leading segments), in key order. */
  listScratch(prefix: string): AsyncIterable<ScratchStat>;
  /** Removes every scratch object under `prefix`; the number removed. */
  deleteScratch(prefix: string): Promise<number>;

  close(): Promise<void>;
}
