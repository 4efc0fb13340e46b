import express, { type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileArtifactServiceOptions, type ArtifactStoreServiceOptions } from './options';
import { ArtifactHttpError } from './errors';
import { registerMultipartRoutes } from './multipart-routes';
import { answerError, downloadRoute, listRoute, parseTarget, uploadRoute, usageRoute, type RouteDeps } from './routes';

export interface ArtifactStoreService {
  readonly app: express.Express;
  listen(): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

/** The HTTP face of the artifact core: parse the URL, authorize, call one core method, answer. */
export function createArtifactStoreService(raw: ArtifactStoreServiceOptions): ArtifactStoreService {
  const opts = compileArtifactServiceOptions(raw);
  const log = opts.logger.child({ component: 'artifact-store' });
  const deps: RouteDeps = { core: opts.core, auth: opts.auth };
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  app.get('/healthz', async (_req, res) => {
    const parts = await opts.health();
    const ok = Object.values(parts).every(Boolean);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', ...parts });
  });

  const logRefusal = (req: Request, e: ArtifactHttpError, err?: unknown) => {
    if (e.code === 'INTERNAL') log.error('artifact request failed', { method: req.method, err: err instanceof Error ? (err.stack ?? err.message) : String(err ?? e) });
    else log.info('artifact request refused', { method: req.method, code: e.code, status: e.status, ...(e.who ?? {}) });
  };
  if (opts.uploads !== null) registerMultipartRoutes(app, { uploads: opts.uploads, auth: opts.auth, jsonBodyLimit: opts.jsonBodyLimit, onError: logRefusal });

  app.get('/v1/artifacts/usage', async (req: Request, res: Response) => {
    try {
      await usageRoute(deps, req, res);
    } catch (err) {
      logRefusal(req, answerError(req, res, err), err);
    }
  });

  app.use('/v1/runs', async (req: Request, res: Response) => {
    try {
      const target = parseTarget(req.url);
      if (target === null) throw new ArtifactHttpError('NOT_FOUND', `no route ${req.method} /v1/runs${req.path.slice(0, 200)}`);
      if (target.path === null) {
        if (req.method !== 'GET') throw new ArtifactHttpError('BAD_REQUEST', `${req.method} needs an artifact path: /v1/runs/${target.runId}/artifacts/<path>`);
        return await listRoute(deps, req, res, target);
      }
      const file = { ...target, path: target.path };
      if (req.method === 'PUT') return await uploadRoute(deps, req, res, file);
      if (req.method === 'GET' || req.method === 'HEAD') return await downloadRoute(deps, req, res, file, req.method === 'HEAD');
      throw new ArtifactHttpError('NOT_FOUND', `no route ${req.method} for artifacts`);
    } catch (err) {
      logRefusal(req, answerError(req, res, err), err);
    }
  });
  app.use((req: Request, res: Response) => {
    answerError(req, res, new ArtifactHttpError('NOT_FOUND', `no route ${req.method} ${req.path.slice(0, 200)}`));
  });

  let server: Server | null = null;
  return {
    app,
    listen: () =>
      new Promise((resolveListen, reject) => {
        const s = app.listen(opts.port, opts.host);
        s.once('error', reject);
        s.once('listening', () => {
          server = s;
          // Gigabyte uploads take longer than Node's default request timeout (5 min).
          s.requestTimeout = 0;
          const port = (s.address() as AddressInfo).port;
          resolveListen({ url: `http://${opts.host}:${port}`, port });
        });
      }),
    close: async () => {
      const s = server;
      server = null;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}
