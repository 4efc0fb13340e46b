import { SseParser } from './sse';

/**
 * The UI's one way to the query API (same origin: the web server proxies /v1). The token, when auth is on, goes in
 * the Authorization header only, never into a URL; it is kept in sessionStorage by the caller.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get authProblem(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface ApiClientOptions {
  base?: string;
  token: () => string | null;
  fetch?: typeof fetch;
}

export class ApiClient {
  private readonly base: string;
  private readonly f: typeof fetch;
  constructor(private readonly opts: ApiClientOptions) {
    this.base = opts.base ?? '';
    this.f = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  private headers(extra?: Record<string, string>): Record<string, string> {
    const token = this.opts.token();
    return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
  }

  async get<T>(path: string): Promise<T> {
    return this.answer<T>(await this.f(this.base + path, { headers: this.headers() }));
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.answer<T>(await this.f(this.base + path, { method: 'POST', headers: this.headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) }));
  }

  private async answer<T>(res: Response): Promise<T> {
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if (!res.ok) throw errorFromBody(res.status, body);
    return body as T;
  }

  /**
   * Opens a live stream and calls `onEvent` for each event until `signal` aborts. Reconnects after a drop with
   * Last-Event-ID (the server resumes after it); an auth error ends the stream through `onError`.
   */
  stream(path: string, onEvent: (event: string, data: unknown) => void, opts: { signal: AbortSignal; onError?: (err: ApiError) => void; onOpen?: () => void }): void {
    let lastEventId: string | null = null;
    let retryMs = 1000;
    const connect = async (): Promise<void> => {
      const parser = new SseParser();
      try {
        const res = await this.f(this.base + path, {
          headers: this.headers({ accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }),
          signal: opts.signal,
        });
        if (!res.ok || !res.body) {
          const err = errorFromBody(res.status, await res.json().catch(() => null));
          opts.onError?.(err);
          if (err.authProblem || res.status === 404) return;
          throw err;
        }
        opts.onOpen?.();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const ev of parser.push(value)) {
            let data: unknown = ev.data;
            try {
              data = JSON.parse(ev.data);
            } catch {
              /* not JSON: passed on as text */
            }
            onEvent(ev.event, data);
          }
          lastEventId = parser.lastEventId ?? lastEventId;
          retryMs = parser.retryMs ?? retryMs;
        }
      } catch {
        if (opts.signal.aborted) return;
      }
      if (opts.signal.aborted) return;
      setTimeout(() => void connect(), retryMs);
    };
    void connect();
  }
}

export function errorFromBody(status: number, body: unknown): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const code = typeof e?.code === 'string' ? e.code : `HTTP_${status}`;
  const message = typeof e?.message === 'string' ? e.message : `the server answered ${status}`;
  return new ApiError(status, code, message, e?.details);
}

/** What the page tells a person for an auth failure. */
export function authMessage(err: ApiError): string {
  if (err.status === 401) return `Sign-in needed: ${err.message}. Enter an API token with read access.`;
  return `Not allowed: ${err.message}. This token may not read here; enter another.`;
}
