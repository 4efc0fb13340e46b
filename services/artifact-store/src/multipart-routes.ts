import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { MultipartUploads } from '@trackstream/artifacts';
import { LIMITS, encodePositionsToken } from '@trackstream/events';
import { authorize, type ArtifactAuth } from './auth';
import { ArtifactHttpError } from './errors';
import { announced, answerError, TOKEN_HEADER } from './routes';

type Handler = (req: Request, res: Response) => Promise<void>;

function parsePartNumber(raw: string): number {
  if (!/^\d{1,5}$/.test(raw)) throw new ArtifactHttpError('BAD_REQUEST', `part number ${JSON.stringify(raw.slice(0, 20))} is not 1..10000`, { field: 'part_number' });
  return Number(raw);
}

function jsonObject(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new ArtifactHttpError('BAD_REQUEST', 'the body must be a JSON object (Content-Type: application/json)', { field: 'body' });
  return b as Record<string, unknown>;
}

/**
 * Resumable multipart: POST /v1/runs/:run_id/uploads {path, media_type?} → upload_id; PUT /v1/uploads/:id/parts/:n
 * (any order, a retried part replaces itself); GET /v1/uploads/:id/parts; POST /v1/uploads/:id/complete
 * {parts: [{part_number, sha256}], sha256?}; DELETE /v1/uploads/:id.
 */
export function registerMultipartRoutes(app: Express, deps: { uploads: MultipartUploads; auth: ArtifactAuth; jsonBodyLimit: string; onError: (req: Request, e: ArtifactHttpError, err: unknown) => void }): void {
  const json = express.json({ limit: deps.jsonBodyLimit });
  const step =
    (cap: 'read' | 'write', h: (caller: ReturnType<typeof authorize>, req: Request, res: Response) => Promise<void>, parse = false) =>
    async (req: Request, res: Response) => {
      try {
        const caller = authorize(deps.auth, req, cap);
        if (parse) await new Promise<void>((resolve, reject) => json(req, res, ((err?: unknown) => (err ? reject(new ArtifactHttpError('BAD_REQUEST', `request body refused: ${(err as Error).message}`, { field: 'body' })) : resolve())) as NextFunction));
        await h(caller, req, res);
      } catch (err) {
        deps.onError(req, answerError(req, res, err), err);
      }
    };
  const runIdOf = (req: Request) => {
    const id = String(req.params.run_id);
    if (!LIMITS.idPattern.test(id)) throw new ArtifactHttpError('INVALID_RUN_ID', `run id ${JSON.stringify(id.slice(0, 130))} does not match ${LIMITS.idPattern.source}`);
    return id;
  };
  const create: Handler = step(
    'write',
    async (caller, req, res) => {
      const b = jsonObject(req);
      if (typeof b.path !== 'string') throw new ArtifactHttpError('BAD_REQUEST', 'path (the artifact path) is required', { field: 'path' });
      const mediaType = typeof b.media_type === 'string' ? b.media_type : undefined;
      res.status(201).json(await deps.uploads.create(caller, runIdOf(req), b.path, mediaType));
    },
    true,
  );
  app.post('/v1/runs/:run_id/uploads', create);
  app.put(
    '/v1/uploads/:upload_id/parts/:part',
    step('write', async (caller, req, res) => {
      const expect = announced(req);
      const part = await deps.uploads.putPart(caller, String(req.params.upload_id), parsePartNumber(String(req.params.part)), req, {
        ...(expect.sizeBytes === undefined ? {} : { size: expect.sizeBytes }),
        ...(expect.sha256 === undefined ? {} : { sha256: expect.sha256 }),
      });
      res.json({ part });
    }),
  );
  app.get(
    '/v1/uploads/:upload_id/parts',
    step('write', async (caller, req, res) => {
      res.json(await deps.uploads.listParts(caller, String(req.params.upload_id)));
    }),
  );
  app.post(
    '/v1/uploads/:upload_id/complete',
    step(
      'write',
      async (caller, req, res) => {
        const b = jsonObject(req);
        if (!Array.isArray(b.parts)) throw new ArtifactHttpError('BAD_REQUEST', 'parts must be an array of {part_number, sha256}', { field: 'parts' });
        const parts = b.parts.map((p: unknown, i: number) => {
          const o = p as { part_number?: unknown; sha256?: unknown };
          if (typeof o !== 'object' || o === null || typeof o.part_number !== 'number' || typeof o.sha256 !== 'string') {
            throw new ArtifactHttpError('BAD_REQUEST', `parts[${i}] must be {part_number: number, sha256: string}`, { field: `parts[${i}]` });
          }
          return { part_number: o.part_number, sha256: o.sha256 };
        });
        if (b.sha256 !== undefined && typeof b.sha256 !== 'string') throw new ArtifactHttpError('BAD_REQUEST', 'sha256 must be a string', { field: 'sha256' });
        const result = await deps.uploads.complete(caller, String(req.params.upload_id), parts, b.sha256 as string | undefined);
        const token = encodePositionsToken(result.positions);
        res.setHeader(TOKEN_HEADER, token);
        res.status(201).json({ artifact: result.artifact, created: result.created, visible: result.visible, token });
      },
      true,
    ),
  );
  app.delete(
    '/v1/uploads/:upload_id',
    step('write', async (caller, req, res) => {
      await deps.uploads.abort(caller, String(req.params.upload_id));
      res.status(204).end();
    }),
  );
}
