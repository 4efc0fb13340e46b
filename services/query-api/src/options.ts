import type { ReadModelOptions } from '@trackstream/read-model';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import type { QueryAuth } from './auth';
import type { StreamOptionsRaw } from './stream-routes';

export interface QueryApiOptions {
  /** postgres://… of the database the Postgres projector writes. */
  pgUrl: string;
  /** Schema of the projection tables (TRACKSTREAM_PG_SCHEMA, as the projector). */
  pgSchema?: string;
  /** ClickHouse HTTP URL; its path names the database (as the projector's). */
  clickhouseUrl: string;
  /** Overrides the URL's database. */
  clickhouseDatabase?: string;
  /** Topic the gateway's tokens name; a token for another topic is refused. */
  eventsTopic: string;
  /** How long a read with a token waits for the projections before answering stale. */
  readYourWritesWaitMs: number;
  port?: number;
  host?: string;
  logger?: Logger;
  pgPoolSize?: number;
  /**
   * Access control. Default `{mode: 'off'}` (a library default: the composition root, main.ts, defaults to on):
   * every project readable without a token.
   */
  auth?: QueryAuth;
  /** Live streams (GET /v1/stream/...): poll interval, heartbeat, bound on open streams. */
  streams?: Omit<StreamOptionsRaw, 'topic' | 'logger'>;
}

/** The query API's own defaults, in one place (the read model and the streams compile theirs). */
export const QUERY_API_DEFAULTS = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  auth: Object.freeze({ mode: 'off' }) as QueryAuth,
  /** Largest JSON body a POST route parses. */
  jsonBodyLimit: '1mb',
});

/** QueryApiOptions after defaults, frozen: what createQueryApi reads. */
export interface CompiledQueryApiOptions {
  readonly eventsTopic: string;
  readonly readYourWritesWaitMs: number;
  readonly port: number;
  readonly host: string;
  /** The service's logger, as given (createQueryApi scopes it). */
  readonly logger: Logger;
  readonly auth: QueryAuth;
  readonly jsonBodyLimit: string;
  readonly readModel: Readonly<ReadModelOptions>;
  readonly streams: Readonly<Omit<StreamOptionsRaw, 'topic' | 'logger'>>;
}

/** Raw options → defaults → one frozen object (compiled once, in createQueryApi). */
export function compileQueryApiOptions(raw: QueryApiOptions): CompiledQueryApiOptions {
  const d = QUERY_API_DEFAULTS;
  const logger = raw.logger ?? noopLogger;
  return Object.freeze({
    eventsTopic: raw.eventsTopic,
    readYourWritesWaitMs: raw.readYourWritesWaitMs,
    port: raw.port ?? d.port,
    host: raw.host ?? d.host,
    logger,
    auth: raw.auth ?? d.auth,
    jsonBodyLimit: d.jsonBodyLimit,
    readModel: Object.freeze({
      pgUrl: raw.pgUrl,
      ...(raw.pgSchema === undefined ? {} : { pgSchema: raw.pgSchema }),
      ...(raw.pgPoolSize === undefined ? {} : { pgPoolSize: raw.pgPoolSize }),
      clickhouseUrl: raw.clickhouseUrl,
      ...(raw.clickhouseDatabase === undefined ? {} : { clickhouseDatabase: raw.clickhouseDatabase }),
    }),
    streams: Object.freeze({ ...raw.streams }),
  });
}
