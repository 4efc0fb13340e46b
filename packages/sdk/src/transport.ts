import * as http from 'node:http';
import * as https from 'node:https';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { parseRetryAfter } from './backoff';

const gzip = promisify(gzipCb);

export interface ValidationProblem {
  index: number | null;
  path: string;
  message: string;
}

export type SendResult =
  | { kind: 'accepted'; accepted: number; token: string | null }
  /** 400: the gateway named the bad events; nothing of the batch was appended. */
  | { kind: 'rejected'; problems: ValidationProblem[]; status: number }
  /** 413: the batch is over the size limits; split it. */
  | { kind: 'too_large' }
  /** 401/403: the token (or what it may write) was refused; the same request will keep failing. */
  | { kind: 'denied'; status: number; code: string; reason: string | null; message: string }
  /** Anything else: the gateway is down, overloaded, or the network failed. Try again later. */
  | {
      kind: 'retry';
      reason: string;
      status: number | null;
      retryAfterMs: number | null;
      /** The gateway said this exact request will keep failing (a 5xx with retriable: false): try smaller pieces. */
      permanent?: boolean;
    };

export interface Transport {
  /** `body` is the uncompressed JSON text of `{"events":[...]}`. */
  send(body: Buffer): Promise<SendResult>;
  close(): void;
}

export interface HttpTransportOptions {
  url: string;
  token?: string;
  /** Sent as x-trackstream-principal (honoured only when the gateway runs with auth off). */
  principal?: string;
  headers?: Record<string, string>;
  compression: 'gzip' | 'none';
  requestTimeoutMs: number;
}

/** POST /v1/events over keep-alive connections; classifies every outcome instead of throwing. */
export class HttpTransport implements Transport {
  private readonly target: URL;
  private readonly base: http.RequestOptions;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(private readonly opts: HttpTransportOptions) {
    this.target = new URL('v1/events', opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
    const isHttps = this.target.protocol === 'https:';
    this.agent = isHttps ? new https.Agent({ keepAlive: true, maxSockets: 4 }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
    this.request = isHttps ? https.request : http.request;
    // Resolved once: turning a URL into request options on every send shows up in profiles.
    this.base = {
      protocol: this.target.protocol,
      hostname: this.target.hostname.replace(/^\[|\]$/g, ''),
      port: this.target.port || undefined,
      path: `${this.target.pathname}${this.target.search}`,
      method: 'POST',
      agent: this.agent,
      timeout: opts.requestTimeoutMs,
    };
  }

  async send(body: Buffer): Promise<SendResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...this.opts.headers };
    let payload = body;
    // Small bodies are not worth a compression round trip; metric batches compress ~5-10x.
    if (this.opts.compression === 'gzip' && body.length > 1024) {
      // Level 1: most of the size win on repetitive JSON for a fraction of the CPU of the default level.
      payload = await gzip(body, { level: 1 });
      headers['content-encoding'] = 'gzip';
    }
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (this.opts.principal) headers['x-trackstream-principal'] = this.opts.principal;
    headers['content-length'] = String(payload.length);
    try {
      const res = await this.post(payload, headers);
      return classify(res.status, res.body, res.retryAfter);
    } catch (err) {
      return { kind: 'retry', reason: (err as Error).message, status: null, retryAfterMs: null };
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private post(payload: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string; retryAfter: string | null }> {
    return new Promise((resolve, reject) => {
      const req = this.request({ ...this.base, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ra = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: Array.isArray(ra) ? (ra[0] ?? null) : (ra ?? null) });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no response within ${this.opts.requestTimeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

export function classify(status: number, body: string, retryAfter: string | null): SendResult {
  if (status === 200 || status === 201 || status === 202) {
    const parsed = safeJson(body) as { accepted?: unknown; token?: unknown } | null;
    return {
      kind: 'accepted',
      accepted: typeof parsed?.accepted === 'number' ? parsed.accepted : 0,
      token: typeof parsed?.token === 'string' ? parsed.token : null,
    };
  }
  if (status === 400) {
    // The gateway's error body: {error: {code, message, retriable, details: {problems: [...]}}}.
    const parsed = safeJson(body) as { error?: { message?: unknown; details?: { problems?: unknown } } } | null;
    const list: unknown[] = Array.isArray(parsed?.error?.details?.problems)
      ? parsed.error.details.problems
      : [{ index: null, path: '', message: typeof parsed?.error?.message === 'string' ? parsed.error.message : body.slice(0, 500) }];
    const problems: ValidationProblem[] = list.map((p: unknown) => {
      const o = (p ?? {}) as Record<string, unknown>;
      return {
        index: typeof o.index === 'number' ? o.index : null,
        path: typeof o.path === 'string' ? o.path : '',
        message: typeof o.message === 'string' ? o.message : JSON.stringify(p),
      };
    });
    return { kind: 'rejected', problems, status };
  }
  if (status === 413) return { kind: 'too_large' };
  if (status === 401 || status === 403) {
    const e = (safeJson(body) as { error?: { code?: unknown; message?: unknown; details?: { reason?: unknown } } } | null)?.error;
    return {
      kind: 'denied',
      status,
      code: typeof e?.code === 'string' ? e.code : status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN',
      reason: typeof e?.details?.reason === 'string' ? e.details.reason : null,
      // The gateway's messages never carry a token; a non-JSON body (a proxy's page) is not quoted at all.
      message: typeof e?.message === 'string' ? e.message.slice(0, 500) : `HTTP ${status}`,
    };
  }
  const err = (safeJson(body) as { error?: { retriable?: unknown } } | null)?.error;
  return {
    kind: 'retry',
    reason: `HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''}`,
    status,
    retryAfterMs: parseRetryAfter(retryAfter),
    ...(status >= 500 && err?.retriable === false ? { permanent: true } : {}),
  };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
