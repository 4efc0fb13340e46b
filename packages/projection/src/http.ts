import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ProjectorHttpOptions {
  registry: Registry;
  /** Liveness: false answers 503 so a supervisor restarts the process. */
  health: () => { ok: boolean; details: unknown };
}

/** GET /metrics (Prometheus text) and GET /healthz (JSON) for one projector process. */
export function createProjectorHttpServer(opts: ProjectorHttpOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      opts.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(text);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(err instanceof Error ? err.message : String(err));
        });
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      const h = opts.health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: h.ok ? 'ok' : 'unhealthy', details: h.details }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${path}` } }));
  });
}
