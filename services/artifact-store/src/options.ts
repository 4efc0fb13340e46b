import type { ArtifactCore, MultipartUploads } from '@trackstream/artifacts';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import type { ArtifactAuth } from './auth';

export interface ArtifactStoreServiceOptions {
  /** The composed core (BlobStore + EventLog + read model): main.ts or a test builds it. */
  core: ArtifactCore;
  /** Resumable multipart uploads over the same core; without it the /v1/uploads routes are absent. */
  uploads?: MultipartUploads;
  /** Health of the pieces behind the core. */
  health?: () => Promise<Record<string, boolean>>;
  port?: number;
  host?: string;
  logger?: Logger;
  /** Default {mode: 'off'} (a library default; main.ts defaults to on). */
  auth?: ArtifactAuth;
}

export const ARTIFACT_SERVICE_DEFAULTS = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  auth: Object.freeze({ mode: 'off' }) as ArtifactAuth,
  /** Largest JSON body (multipart completion lists). */
  jsonBodyLimit: '1mb',
});

export interface CompiledArtifactServiceOptions {
  readonly core: ArtifactCore;
  readonly uploads: MultipartUploads | null;
  readonly health: () => Promise<Record<string, boolean>>;
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
  readonly auth: ArtifactAuth;
  readonly jsonBodyLimit: string;
}

/** Raw options → defaults → one frozen object (compiled once, in createArtifactStoreService). */
export function compileArtifactServiceOptions(raw: ArtifactStoreServiceOptions): CompiledArtifactServiceOptions {
  const d = ARTIFACT_SERVICE_DEFAULTS;
  return Object.freeze({
    core: raw.core,
    uploads: raw.uploads ?? null,
    health: raw.health ?? (async () => ({})),
    port: raw.port ?? d.port,
    host: raw.host ?? d.host,
    logger: raw.logger ?? noopLogger,
    auth: raw.auth ?? d.auth,
    jsonBodyLimit: d.jsonBodyLimit,
  });
}
