import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_DATABASE } from './schema';

/**
 * The URL's path names the database, but the client must not send it as the session database: setup() creates
 * that database, and a request naming a missing one fails. Every statement names its tables in full instead.
 */
export function splitDatabase(url: string): { serverUrl: string; database: string | undefined } {
  const u = new URL(url);
  const path = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  u.pathname = '/';
  return { serverUrl: u.toString(), database: path === '' ? undefined : path };
}

export interface ClickHouseClientOptions {
  /** ClickHouse HTTP URL (credentials may be in it); a path names the database, e.g. `http://127.0.0.1:8123/trackstream`. */
  url: string;
  /** Overrides the URL's database; default `trackstream`. */
  database?: string;
  /** Default 30 s. */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * The one ClickHouse client factory (sink, read model, CLI): server URL without the database, the database named
 * in every statement instead, and the client's own console logging off (callers report through their logger).
 */
export function createClickHouseClient(opts: ClickHouseClientOptions): { client: ClickHouseClient; database: string } {
  const { serverUrl, database } = splitDatabase(opts.url);
  const client = createClient({
    url: serverUrl,
    request_timeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // The client would print every failed request to the console; callers report failures themselves.
    log: { level: ClickHouseLogLevel.OFF },
  });
  return { client, database: opts.database ?? database ?? DEFAULT_DATABASE };
}
