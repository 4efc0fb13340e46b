import { TrackstreamError } from '@trackstream/errors';

export type ArtifactErrorCode =
  | 'BLOB_NOT_FOUND'
  | 'RANGE_NOT_SATISFIABLE'
  | 'CHECKSUM_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'INVALID_DIGEST'
  | 'INVALID_KEY'
  | 'INVALID_ARTIFACTS_URL'
  | 'RUN_NOT_FOUND'
  | 'ARTIFACT_NOT_FOUND'
  | 'UPLOAD_NOT_FOUND'
  | 'INVALID_PART'
  | 'STORE_UNAVAILABLE';

/** What a BlobStore throws on purpose. STORE_UNAVAILABLE is the only retriable one (the backend did not answer). */
export class ArtifactStoreError extends TrackstreamError {
  readonly code: ArtifactErrorCode;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;
  constructor(code: ArtifactErrorCode, message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ArtifactStoreError';
    this.code = code;
    this.retriable = code === 'STORE_UNAVAILABLE';
    this.details = opts.details ?? {};
  }
}
