import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { LogPositions, StoredEvent } from '@trackstream/events';

/** The part of the EventLog port (@trackstream/kafka) the core appends through; kept structural so this package never reaches a Kafka client. */
export interface ArtifactEventLog {
  append(events: readonly StoredEvent[]): Promise<LogPositions>;
}
import type { ArtifactView, ReadModel } from '@trackstream/read-model';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import { validateArtifactPath } from './artifact-path';
import type { BlobBody, BlobStore } from './blob-store';
import { ArtifactStoreError } from './errors';
import { mediaTypeOf } from './media-type';
import { clampRange, type ByteRange } from './range';
import { listChildren, type ArtifactListing } from './tree';

/** What the core reads of the projections: a run's scope, its artifact tree, and the read-your-writes wait. */
export type ArtifactIndex = Pick<ReadModel, 'runScope' | 'runArtifacts' | 'waitFor' | 'artifactUsage'>;

export interface ArtifactCoreOptions {
  store: BlobStore;
  log: ArtifactEventLog;
  index: ArtifactIndex;
  /** How long an upload waits for its artifact_logged event to be projected before answering (visible: false). Default 10 s. */
  visibilityWaitMs?: number;
  logger?: Logger;
  /** Default Date.now. */
  clock?: () => number;
}

export const ARTIFACT_CORE_DEFAULTS = Object.freeze({ visibilityWaitMs: 10_000 });

/** Who asks: the projects the caller may touch (null = every project) and the principal recorded on events. */
export interface ArtifactCaller {
  projects: readonly string[] | null;
  principal: string;
}

export interface UploadRequest {
  caller: ArtifactCaller;
  runId: string;
  path: string;
  body: BlobBody;
  /** The announced length (Content-Length): a shorter or longer body is SIZE_MISMATCH and nothing is visible. */
  sizeBytes?: number;
  /** The announced sha256 (hex): another digest is CHECKSUM_MISMATCH and nothing is visible. */
  sha256?: string;
  /** The declared media type; guessed from the path's extension when absent or application/octet-stream. */
  mediaType?: string;
}

export interface UploadResult {
  artifact: Omit<ArtifactView, 'logged_at'>;
  /** False: the blob was already stored (deduplicated). */
  created: boolean;
  /** Log positions of the artifact_logged event (a read-your-writes token for the query API). */
  positions: LogPositions;
  /** True once the event is projected (reads see the artifact); false when visibilityWaitMs passed first. */
  visible: boolean;
}

export interface OpenedArtifact {
  artifact: ArtifactView & { sha256: string; size_bytes: number };
  /** The bytes served: the whole blob, or the clamped range. */
  range: ByteRange | null;
  body: Readable;
}

/**
 * The HTTP-agnostic artifact core: every artifact door (services/artifact-store, the MLflow server's artifact proxy)
 * is a thin translation of its requests into these calls. An artifact is a blob in the BlobStore (content-addressed)
 * plus an artifact_logged event in the EventLog; it is visible once the read model projected the event, so a
 * failed or cut-off upload leaves nothing visible (only a staging object or an unreferenced blob, both collected by gc).
 */
export class ArtifactCore {
  private readonly store: BlobStore;
  private readonly log: ArtifactEventLog;
  private readonly index: ArtifactIndex;
  private readonly waitMs: number;
  private readonly logger: Logger;
  private readonly clock: () => number;

  constructor(opts: ArtifactCoreOptions) {
    this.store = opts.store;
    this.log = opts.log;
    this.index = opts.index;
    this.waitMs = opts.visibilityWaitMs ?? ARTIFACT_CORE_DEFAULTS.visibilityWaitMs;
    this.logger = opts.logger ?? noopLogger;
    this.clock = opts.clock ?? Date.now;
  }

  /** Streams the body into the store, appends artifact_logged, waits for it to be projected. */
  async upload(req: UploadRequest): Promise<UploadResult> {
    const path = validateArtifactPath(req.path);
    const run = await this.requireRun(req.caller, req.runId);
    const put = await this.store.put(req.body, {
      ...(req.sizeBytes === undefined ? {} : { size: req.sizeBytes }),
      ...(req.sha256 === undefined ? {} : { sha256: req.sha256.toLowerCase() }),
    });
    return this.record(req.caller, req.runId, run, path, put, req.mediaType, put.created);
  }

  /** Logs an already-stored blob (a completed multipart upload) at `path` of the run. */
  async recordStored(caller: ArtifactCaller, runId: string, path: string, blob: { sha256: string; size: number; created: boolean }, mediaType?: string): Promise<UploadResult> {
    validateArtifactPath(path);
    const run = await this.requireRun(caller, runId);
    return this.record(caller, runId, run, path, blob, mediaType, blob.created);
  }

  private async record(
    caller: ArtifactCaller,
    runId: string,
    run: { project: string; experiment_id: string },
    path: string,
    put: { sha256: string; size: number },
    declared: string | undefined,
    created: boolean,
  ): Promise<UploadResult> {
    const artifact = { path, uri: this.store.uri(put.sha256), size_bytes: put.size, sha256: put.sha256, media_type: mediaTypeOf(path, declared) };
    const now = this.clock();
    const event: StoredEvent = {
      event_id: randomUUID(),
      project: run.project,
      experiment_id: run.experiment_id,
      run_id: runId,
      occurred_at: now,
      received_at: now,
      principal: caller.principal,
      type: 'artifact_logged',
      payload: artifact,
    };
    const positions = await this.log.append([event]);
    const visible = await this.index.waitFor(positions, { postgres: true, clickhouse: false }, this.waitMs);
    this.logger.info('artifact logged', { runId, path, sha256: put.sha256, size: put.size, created, visible });
    return { artifact, created, positions, visible };
  }

  /** The artifact at `path` (its newest version); ARTIFACT_NOT_FOUND, RUN_NOT_FOUND. */
  async stat(caller: ArtifactCaller, runId: string, path: string): Promise<OpenedArtifact['artifact']> {
    validateArtifactPath(path);
    await this.requireRun(caller, runId);
    const found = (await this.index.runArtifacts(runId, path)).find((a) => a.path === path);
    if (found === undefined || found.sha256 === null || found.size_bytes === null) {
      throw new ArtifactStoreError('ARTIFACT_NOT_FOUND', `run ${runId} has no stored artifact at ${JSON.stringify(path)}`);
    }
    return { ...found, sha256: found.sha256, size_bytes: found.size_bytes };
  }

  /** The artifact's bytes, or a range of them (clamped to the size; RANGE_NOT_SATISFIABLE past the end). */
  async open(caller: ArtifactCaller, runId: string, path: string, range?: ByteRange): Promise<OpenedArtifact> {
    const artifact = await this.stat(caller, runId, path);
    const clamped = range === undefined ? null : clampRange(range, artifact.size_bytes);
    const body = await this.store.get(artifact.sha256, clamped ?? undefined);
    return { artifact, range: clamped, body };
  }

  /** The direct children (files and directories) of `dir` in the run's tree (null or '': the root), like MLflow's list. */
  async list(caller: ArtifactCaller, runId: string, dir: string | null): Promise<ArtifactListing> {
    const prefix = dir === null || dir === '' ? null : validateArtifactPath(dir.replace(/\/+$/, ''));
    await this.requireRun(caller, runId);
    return listChildren(prefix, await this.index.runArtifacts(runId, prefix));
  }

  /** Dedup figures of the projects the caller may read: bytes logged vs bytes stored, per project and in total. */
  usage(caller: ArtifactCaller): ReturnType<ReadModel['artifactUsage']> {
    return this.index.artifactUsage(caller.projects);
  }

  /** The run's project and experiment when the caller may touch it; RUN_NOT_FOUND otherwise. */
  async requireRun(caller: ArtifactCaller, runId: string): Promise<{ project: string; experiment_id: string }> {
    const run = await this.index.runScope(runId, caller.projects);
    if (run === null) throw new ArtifactStoreError('RUN_NOT_FOUND', `run ${JSON.stringify(runId.slice(0, 130))} does not exist`);
    return run;
  }
}
