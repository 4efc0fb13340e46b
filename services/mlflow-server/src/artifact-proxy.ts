import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ArtifactPathError, ArtifactStoreError, parseRangeHeader, type ArtifactCaller, type ArtifactCore } from '@trackstream/artifacts';
import { LIMITS } from '@trackstream/events';
import { MlflowError, invalid, notFound } from '@trackstream/mlflow-protocol';
import type { Logger } from '@trackstream/telemetry';
import type { Access, Caller } from './auth';
import type { ExtraRoute } from './extra-route';
import { answerJson } from './http';

/** Where MLflow's client sends `mlflow-artifacts:` URIs (its HttpArtifactRepository). */
export const ARTIFACT_PROXY_PREFIX = '/api/2.0/mlflow-artifacts/';
const FILES = `${ARTIFACT_PROXY_PREFIX}artifacts`;
const MULTIPART = `${ARTIFACT_PROXY_PREFIX}mpu/`;

/**
 * What a proxy URL names. The client resolves a run's `mlflow-artifacts:/<experiment>/<run>/artifacts` against the
 * tracking URI, so a file is `…/artifacts/<experiment>/<run>/artifacts/<path>` and a list is `…/artifacts?path=<same>`.
 */
export type ProxyTarget = { kind: 'file'; runId: string; path: string } | { kind: 'list'; runId: string; dir: string | null } | { kind: 'multipart' };

/** Step 1: the URL → run id and artifact path (percent-decoded once; the path rule is the artifact core's). */
export function parseProxyTarget(rawUrl: string): ProxyTarget {
  const url = new URL(rawUrl, 'http://mlflow.invalid');
  if (url.pathname.startsWith(MULTIPART)) return { kind: 'multipart' };
  if (url.pathname === FILES || url.pathname === `${FILES}/`) {
    const listed = url.searchParams.get('path');
    if (listed === null || listed === '') throw invalid(`List artifacts needs ?path=<experiment>/<run_id>/artifacts[/<dir>]`);
    const named = runPath(listed);
    return { kind: 'list', runId: named.runId, dir: named.rest };
  }
  if (!url.pathname.startsWith(`${FILES}/`)) throw new MlflowError('ENDPOINT_NOT_FOUND', `No artifact endpoint ${url.pathname.slice(0, 200)}`);
  const named = runPath(decodeSegment(url.pathname.slice(FILES.length + 1)));
  if (named.rest === null) throw invalid(`${named.runId}: an artifact path is needed after /artifacts/`);
  return { kind: 'file', runId: named.runId, path: named.rest };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalid('The artifact path holds a malformed percent-encoding');
  }
}

/** `<experiment>/<run>/artifacts[/<rest>]`: only run artifacts are stored here (not MLflow 3's logged-model locations). */
function runPath(p: string): { runId: string; rest: string | null } {
  const m = /^([^/]+)\/([^/]+)\/artifacts(?:\/(.*))?$/s.exec(p);
  if (m === null) {
    throw invalid(`Artifact location '${p.slice(0, 200)}' is not a run's: expected <experiment_id>/<run_id>/artifacts/<path> (logged-model artifact locations are not supported)`);
  }
  const runId = m[2]!;
  if (!LIMITS.idPattern.test(runId)) throw invalid(`Run id '${runId.slice(0, 130)}' does not match ${LIMITS.idPattern.source}`);
  const rest = m[3] === undefined ? null : m[3].replace(/\/+$/, '');
  return { runId, rest: rest === '' ? null : rest };
}

/** The artifact core's refusals in MLflow's error shape. */
export function toProxyError(err: unknown, retryAfterSeconds: number): unknown {
  if (err instanceof ArtifactPathError) return invalid(err.message);
  if (!(err instanceof ArtifactStoreError)) return err;
  switch (err.code) {
    case 'RUN_NOT_FOUND':
    case 'ARTIFACT_NOT_FOUND':
    case 'BLOB_NOT_FOUND':
      return notFound(err.message);
    case 'STORE_UNAVAILABLE':
      return new MlflowError('TEMPORARILY_UNAVAILABLE', err.message, retryAfterSeconds);
    default:
      return invalid(err.message);
  }
}

export interface ArtifactProxyOptions {
  core: ArtifactCore;
  logger: Logger;
  /** Seconds in Retry-After when the store is down or an upload is not yet visible. */
  retryAfterSeconds: number;
}

const access = (method: string): Access => (method === 'GET' || method === 'HEAD' ? 'read' : 'write');
const asArtifactCaller = (c: Caller): ArtifactCaller => ({ projects: [c.project], principal: c.principal });

/** Steps: parse the target → one core call → answer. Uploads stream through the core (hashed as written). */
export function artifactProxyRoute(o: ArtifactProxyOptions): ExtraRoute {
  const serve = async (req: IncomingMessage, res: ServerResponse, caller: ArtifactCaller): Promise<void> => {
    const method = req.method ?? 'GET';
    const target = parseProxyTarget(req.url ?? '/');
    if (target.kind === 'multipart') {
      throw new MlflowError('NOT_IMPLEMENTED', 'Proxied multipart uploads (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD) are not served here: unset it and the client uploads each file in one streamed PUT');
    }
    if (target.kind === 'list') {
      if (method !== 'GET') throw new MlflowError('ENDPOINT_NOT_FOUND', `List artifacts takes GET, not ${method}`);
      return listStep(o.core, caller, target, res);
    }
    if (method === 'PUT') return uploadStep(o, caller, target, req, res);
    if (method === 'GET' || method === 'HEAD') return downloadStep(o.core, caller, target, req, res, method === 'HEAD');
    if (method === 'DELETE') throw new MlflowError('NOT_IMPLEMENTED', 'Artifacts are kept in an append-only history here: deleting one is not supported');
    throw new MlflowError('ENDPOINT_NOT_FOUND', `Artifacts take GET, PUT or HEAD, not ${method}`);
  };
  return {
    prefix: ARTIFACT_PROXY_PREFIX,
    access,
    async handle(req, res, caller) {
      try {
        await serve(req, res, asArtifactCaller(caller));
      } catch (err) {
        throw toProxyError(err, o.retryAfterSeconds);
      }
    },
  };
}

/** MLflow's list answers basenames relative to the listed directory (the client joins them to its path). */
async function listStep(core: ArtifactCore, caller: ArtifactCaller, target: { runId: string; dir: string | null }, res: ServerResponse): Promise<void> {
  const listing = await core.list(caller, target.runId, target.dir);
  const cut = target.dir === null ? 0 : target.dir.length + 1;
  answerJson(res, 200, {
    files: listing.files.map((f) => ({ path: f.path.slice(cut), is_dir: f.is_dir, ...(f.file_size === undefined ? {} : { file_size: f.file_size }) })),
  });
}

async function uploadStep(o: ArtifactProxyOptions, caller: ArtifactCaller, target: { runId: string; path: string }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const length = req.headers['content-length'];
  if (length !== undefined && !/^\d{1,16}$/.test(length)) throw invalid(`Content-Length ${JSON.stringify(length.slice(0, 40))} is not a byte count`);
  const type = req.headers['content-type'];
  let result;
  try {
    result = await o.core.upload({
      caller,
      runId: target.runId,
      path: target.path,
      body: req,
      ...(length === undefined ? {} : { sizeBytes: Number(length) }),
      ...(type === undefined ? {} : { mediaType: type }),
    });
  } catch (err) {
    if (req.readableAborted) throw invalid('The upload ended before its Content-Length; nothing was stored');
    throw err;
  }
  // Read-your-writes: MLflow's client lists right after logging; past the bound it retries the PUT (same bytes, same blob).
  if (!result.visible) throw new MlflowError('TEMPORARILY_UNAVAILABLE', `${target.path} was stored but is not readable yet; retry`, o.retryAfterSeconds);
  o.logger.debug('artifact uploaded through the MLflow proxy', { runId: target.runId, path: target.path, size: result.artifact.size_bytes, created: result.created });
  answerJson(res, 200, {});
}

async function downloadStep(core: ArtifactCore, caller: ArtifactCaller, target: { runId: string; path: string }, req: IncomingMessage, res: ServerResponse, headOnly: boolean): Promise<void> {
  const artifact = await core.stat(caller, target.runId, target.path);
  const range = parseRangeHeader(req.headers.range, artifact.size_bytes) ?? undefined;
  const headers: Record<string, string> = {
    'content-type': artifact.media_type ?? 'application/octet-stream',
    'content-length': String(range === undefined ? artifact.size_bytes : range.end - range.start + 1),
    etag: `"${artifact.sha256}"`,
    'accept-ranges': 'bytes',
    'content-disposition': `attachment; filename="${encodeURIComponent(target.path.slice(target.path.lastIndexOf('/') + 1))}"`,
  };
  if (range !== undefined) headers['content-range'] = `bytes ${range.start}-${range.end}/${artifact.size_bytes}`;
  if (headOnly) return void res.writeHead(range === undefined ? 200 : 206, headers).end();
  const opened = await core.open(caller, target.runId, target.path, range);
  res.writeHead(range === undefined ? 200 : 206, headers);
  await pipeline(opened.body, res);
}
