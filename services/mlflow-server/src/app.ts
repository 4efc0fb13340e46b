import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlflowError } from '@trackstream/mlflow-protocol';
import { ARTIFACT_PROXY_PREFIX } from './artifact-proxy';
import { authorize, type Caller } from './auth';
import { answerError, answerJson, parseJsonBody, parseQuery, readBody } from './http';
import { compileOptions, type CompiledOptions, type MlflowServerOptions } from './options';
import { resolveRoute, type Route } from './routes';
import { Tracking } from './tracking';


export interface MlflowServer {
  listen(port: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
  /** The request listener, for tests that bring their own server. */
  readonly handler: http.RequestListener;
}

/** Any failure as MLflow's error answer: ours as they are, anything else (a store down, a bug) a 503 to retry, never a 500. */
export function toMlflowError(err: unknown, o: Pick<CompiledOptions, 'logger' | 'retryAfterSeconds'>): MlflowError {
  if (err instanceof MlflowError) return err;
  o.logger.error('request failed', { error: err instanceof Error ? err.message : String(err) });
  return new MlflowError('TEMPORARILY_UNAVAILABLE', 'the tracking server could not answer this request right now; retry later', o.retryAfterSeconds);
}

/** Steps of one API request: resolve → authorize → parse → ensure the Default experiment → handle → answer. */
async function serveApi(o: CompiledOptions, tracking: Tracking, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const resolved = resolveRoute(method, url.pathname);
  if (resolved.kind === 'unknown') throw new MlflowError('ENDPOINT_NOT_FOUND', `No endpoint ${method} ${url.pathname.slice(0, 200)} in MLflow's REST API 2.0 here`);
  if (resolved.kind === 'wrong_method') throw new MlflowError('ENDPOINT_NOT_FOUND', `${url.pathname.slice(0, 200)} takes ${resolved.allowed.join(' or ')}, not ${method}`);
  const route: Route = resolved.route;
  const caller: Caller = authorize(o.auth, req.headers.authorization, o.project, route.access);
  const message = route.method === 'GET' ? parseQuery(url.search) : parseJsonBody(await readBody(req, o.maxBodyBytes), req.headers['content-encoding']);
  await tracking.ensureDefault(caller);
  answerJson(res, 200, await route.handle(tracking, caller, message));
  o.logger.debug('request answered', { method, path: route.path });
}

export function createMlflowServer(options: MlflowServerOptions): MlflowServer {
  const o = compileOptions(options);
  const tracking = new Tracking(o);
  const handler: http.RequestListener = (req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://mlflow.invalid');
        if (url.pathname === '/health' && req.method === 'GET') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
        if (url.pathname === '/version' && req.method === 'GET') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(o.version);
        const extra = o.extraRoutes.find((r) => url.pathname.startsWith(r.prefix));
        if (extra) return await extra.handle(req, res, authorize(o.auth, req.headers.authorization, o.project, extra.access(req.method ?? 'GET')));
        if (url.pathname.startsWith(ARTIFACT_PROXY_PREFIX)) {
          throw new MlflowError('ENDPOINT_NOT_FOUND', `The artifact proxy (${ARTIFACT_PROXY_PREFIX}) is not wired into this server: it was started without an artifact store`);
        }
        await serveApi(o, tracking, req, res, url);
      } catch (err) {
        if (res.headersSent) return void res.destroy();
        const e = toMlflowError(err, o);
        o.logger.debug('request refused', { method: req.method, path: req.url?.slice(0, 200), code: e.code, message: e.message.slice(0, 300) });
        answerError(res, e);
      }
      // A body the route did not read (GET with a body, refused requests) is drained so the connection stays usable.
      req.resume();
    })();
  };
  const server = http.createServer({ requestTimeout: 60_000 }, handler);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error_code":"BAD_REQUEST","message":"malformed HTTP request"}');
    else socket.destroy();
  });
  return {
    handler,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const a = server.address() as AddressInfo;
          resolve({ port: a.port, url: `http://${host === undefined || host === '0.0.0.0' ? '127.0.0.1' : host}:${a.port}` });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
