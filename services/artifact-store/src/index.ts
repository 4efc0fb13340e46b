export { createArtifactStoreService, type ArtifactStoreService } from './app';
export { compileArtifactServiceOptions, ARTIFACT_SERVICE_DEFAULTS, type ArtifactStoreServiceOptions } from './options';
export { ArtifactHttpError, toHttpError, type ArtifactHttpCode } from './errors';
export { type ArtifactAuth } from './auth';
export { loadArtifactStoreConfig, artifactStoreEnv, type ArtifactStoreConfig } from './config';
export { parseTarget, TOKEN_HEADER, SHA256_HEADER } from './routes';
