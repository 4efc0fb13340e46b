export type { BlobStore, BlobBody, BlobStat, PutResult, PutExpectations, ScratchStat } from './blob-store';
export { ArtifactStoreError, type ArtifactErrorCode } from './errors';
export { blobKey, digestOfKey, isSha256, assertSha256, assertScratchKey } from './digest';
export { clampRange, type ByteRange } from './range';
export { HashingStream } from './hashing';
export { checkExpectations } from './expectations';
export { LocalBlobStore, type LocalBlobStoreOptions } from './local-store';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-store';
export { compileArtifactStoreOptions, openBlobStore, DEFAULT_ARTIFACTS_DIR, type ArtifactStoreRawOptions, type ArtifactStoreOptions } from './options';
