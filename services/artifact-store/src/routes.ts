import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { isSha256, parseRangeHeader, type ArtifactCore } from '@trackstream/artifacts';
import { LIMITS, encodePositionsToken } from '@trackstream/events';
import { authorize, type ArtifactAuth } from './auth';
import { ArtifactHttpError, errorBody, toHttpError } from './errors';

export const TOKEN_HEADER = 'X-Trackstream-Token';
export const SHA256_HEADER = 'x-trackstream-sha256';

/** What a `/v1/runs/:run_id/artifacts[/<path>]` URL names: path null = the run's tree (a list). */
export interface Target {
  runId: string;
  path: string | null;
  /** `?path=` of a list. */
  dir: string | null;
}

/**
 * Step 1: the URL (relative to /v1/runs, undecoded) → run id and artifact path, percent-decoded once here and
 * checked by the core's path rule (so `..`, `%2e%2e`, `%5c`, `%00` are refused, never normalised away).
 */
export function parseTarget(url: string): Target | null {
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const m = /^\/([^/]*)\/artifacts(?:\/(.*))?$/s.exec(pathname);
  if (m === null) return null;
  const runId = decode(m[1]!);
  if (!LIMITS.idPattern.test(runId)) throw new ArtifactHttpError('INVALID_RUN_ID', `run id ${JSON.stringify(runId.slice(0, 130))} does not match ${LIMITS.idPattern.source}`);
  const rest = m[2] === undefined || m[2] === '' ? null : decode(m[2]);
  const dir = q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('path');
  return { runId, path: rest, dir };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ArtifactHttpError('INVALID_ARTIFACT_PATH', 'the path holds a malformed percent-encoding', { reason: 'ENCODING' });
  }
}

/** Step 2 of an upload: the announced length and digest. A body with neither Content-Length nor chunked framing is 411. */
export function announced(req: Request): { sizeBytes?: number; sha256?: string } {
  const out: { sizeBytes?: number; sha256?: string } = {};
  const cl = req.get('content-length');
  if (cl !== undefined) {
    if (!/^\d{1,16}$/.test(cl)) throw new ArtifactHttpError('BAD_REQUEST', `Content-Length ${JSON.stringify(cl.slice(0, 40))} is not a byte count`, { field: 'content-length' });
    out.sizeBytes = Number(cl);
  } else if (!/chunked/i.test(req.get('transfer-encoding') ?? '')) {
    throw new ArtifactHttpError('LENGTH_REQUIRED', 'an upload needs Content-Length (or chunked transfer encoding)');
  }
  const sha = req.get(SHA256_HEADER);
  if (sha !== undefined) {
    if (!isSha256(sha.toLowerCase())) throw new ArtifactHttpError('BAD_REQUEST', `${SHA256_HEADER} must be 64 hex digits`, { field: SHA256_HEADER });
    out.sha256 = sha.toLowerCase();
  }
  return out;
}

export interface RouteDeps {
  core: ArtifactCore;
  auth: ArtifactAuth;
}

/** PUT: streamed into the core; answers 201 once the artifact_logged event is in the log (and, bounded, projected). */
export async function uploadRoute(deps: RouteDeps, req: Request, res: Response, target: Target & { path: string }): Promise<void> {
  const caller = authorize(deps.auth, req, 'write');
  const expect = announced(req);
  let result;
  try {
    result = await deps.core.upload({ caller, runId: target.runId, path: target.path, body: req, ...expect, ...mediaType(req) });
  } catch (err) {
    throw cutOff(req, err);
  }
  const token = encodePositionsToken(result.positions);
  res.setHeader(TOKEN_HEADER, token);
  res.status(201).json({ artifact: result.artifact, created: result.created, visible: result.visible, token });
}

function mediaType(req: Request): { mediaType?: string } {
  const t = req.get('content-type');
  return t === undefined ? {} : { mediaType: t };
}

/** A body the client stopped sending (connection closed before Content-Length bytes) is SIZE_MISMATCH, not a 500. */
function cutOff(req: Request, err: unknown): unknown {
  if (req.readableAborted || (err as { code?: string }).code === 'ECONNRESET' || (err as Error).message === 'aborted') {
    return new ArtifactHttpError('SIZE_MISMATCH', 'the request body ended before its Content-Length; nothing was stored');
  }
  return err;
}

/** GET/HEAD of a file: ETag = sha256, Range, the recorded media type. */
export async function downloadRoute(deps: RouteDeps, req: Request, res: Response, target: Target & { path: string }, headOnly: boolean): Promise<void> {
  const caller = authorize(deps.auth, req, 'read');
  const artifact = await deps.core.stat(caller, target.runId, target.path);
  const etag = `"${artifact.sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', artifact.media_type ?? 'application/octet-stream');
  if (req.get('if-none-match')?.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
    res.status(304).end();
    return;
  }
  let range;
  try {
    range = parseRangeHeader(req.get('range'), artifact.size_bytes) ?? undefined;
  } catch (err) {
    res.setHeader('Content-Range', `bytes */${artifact.size_bytes}`);
    throw err;
  }
  const length = range === undefined ? artifact.size_bytes : range.end - range.start + 1;
  res.setHeader('Content-Length', String(length));
  if (range !== undefined) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${artifact.size_bytes}`);
  res.status(range === undefined ? 200 : 206);
  if (headOnly) {
    res.end();
    return;
  }
  const opened = await deps.core.open(caller, target.runId, target.path, range);
  await pipeline(opened.body, res);
}

/** GET of the tree: the direct children of ?path= (default the root), MLflow-list-like. */
export async function listRoute(deps: RouteDeps, req: Request, res: Response, target: Target): Promise<void> {
  const caller = authorize(deps.auth, req, 'read');
  res.json(await deps.core.list(caller, target.runId, target.dir));
}

/** The one place a route's failure becomes an answer (never a 500 for the client's input). */
export function answerError(req: Request, res: Response, err: unknown): ArtifactHttpError {
  const e = toHttpError(err);
  if (res.headersSent) {
    res.destroy();
    return e;
  }
  // An upload refused before its body was read: close the connection rather than read gigabytes to keep it alive.
  if (!req.complete) res.setHeader('Connection', 'close');
  res.status(e.status).json(errorBody(e));
  return e;
}

/** GET /v1/artifacts/usage: dedup figures (bytes logged vs stored) per project the caller may read, and the total. */
export async function usageRoute(deps: RouteDeps, req: Request, res: Response): Promise<void> {
  const caller = authorize(deps.auth, req, 'read');
  const usage = await deps.core.usage(caller);
  const saved = usage.total.bytes_logged - usage.total.bytes_stored;
  res.json({ ...usage, dedup_ratio: usage.total.bytes_stored === 0 ? null : usage.total.bytes_logged / usage.total.bytes_stored, bytes_saved: saved });
}
