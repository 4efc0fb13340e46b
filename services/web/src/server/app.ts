import { createReadStream, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { noopLogger, type Logger } from '@trackstream/telemetry';

export interface WebServerOptions {
  /** Where the query API answers, e.g. http://127.0.0.1:8081; `/v1/...` is forwarded there. */
  queryUrl: string;
  /** The built app (dist/public). */
  publicDir: string;
  port?: number;
  host?: string;
  logger?: Logger;
}

export interface WebServer {
  listen(): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Request headers passed to the query API (the token travels in Authorization; nothing of it is logged). */
const FORWARDED = ['accept', 'authorization', 'content-type', 'content-length', 'last-event-id', 'x-trackstream-token'];

/** A path under publicDir for a URL path, or null when it would leave it. */
export function staticPath(publicDir: string, urlPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (p.includes('\0')) return null;
  const full = normalize(join(publicDir, p === '/' ? 'index.html' : p));
  return full === publicDir || full.startsWith(publicDir.endsWith(sep) ? publicDir : publicDir + sep) ? full : null;
}

export function createWebServer(opts: WebServerOptions): WebServer {
  const log = (opts.logger ?? noopLogger).child({ component: 'web' });
  const upstream = new URL(opts.queryUrl);
  const publicDir = normalize(opts.publicDir);

  function proxy(req: IncomingMessage, res: ServerResponse): void {
    const headers: Record<string, string | string[]> = {};
    for (const h of FORWARDED) {
      const v = req.headers[h];
      if (v !== undefined) headers[h] = v;
    }
    const up = httpRequest({ protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // Streams (SSE) flow through chunk by chunk: no buffering on this side.
      if (String(answer.headers['content-type'] ?? '').startsWith('text/event-stream')) res.socket?.setNoDelay(true);
      answer.pipe(res);
    });
    up.on('error', (err) => {
      log.warn('query API unreachable', { err: err.message, path: req.url?.split('?')[0] });
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'QUERY_API_UNAVAILABLE', message: `the query API at ${upstream.origin} does not answer` } }));
      } else res.destroy();
    });
    // The browser went away (a closed run page): end the upstream stream too.
    res.on('close', () => up.destroy());
    req.pipe(up);
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = staticPath(publicDir, req.url ?? '/');
    let file = path;
    try {
      if (file === null || !statSync(file).isFile()) file = null;
    } catch {
      file = null;
    }
    if (file === null) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': file.endsWith('index.html') ? 'no-cache' : 'max-age=60' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  }

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (url.startsWith('/v1/') || url === '/v1') proxy(req, res);
    else serveStatic(req, res);
  });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
          const port = (server.address() as AddressInfo).port;
          resolve({ url: `http://127.0.0.1:${port}`, port });
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
