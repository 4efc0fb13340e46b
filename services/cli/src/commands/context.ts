import type { ClickHouseClient } from '@clickhouse/client';
import { Pool } from 'pg';
import { z } from 'zod';
import { PostgresTokenStore, type TokenStore } from '@trackstream/auth';
import { createClickHouseClient, DEFAULT_DATABASE, splitDatabase } from '@trackstream/clickhouse';
import { authEnv, commonEnv, envVar, kafkaTopicName, parseEnv, positiveInt } from '@trackstream/config';
import { DLQ_TOPIC, EVENTS_TOPIC } from '@trackstream/events';
import { createKafkaClient } from '@trackstream/kafka';
import type { Logger } from '@trackstream/telemetry';
import type { Kafka } from 'kafkajs';
import { chQuery } from '../ch-store';
import { pgQuery } from '../pg-store';
import type { AuthContext } from '../tokens';

export interface CliIo {
  out(line: string): void;
  /** Progress and diagnostics. */
  err: { write(s: string): void; isTTY?: boolean };
  /** Aborted on Ctrl-C / SIGTERM: a replay stops after the batch in flight and can be resumed. */
  signal?: AbortSignal;
}

function cliSpec() {
  const name = kafkaTopicName;
  return {
    ...commonEnv,
    topic: envVar('TRACKSTREAM_EVENTS_TOPIC', name, EVENTS_TOPIC),
    dlqTopic: envVar('TRACKSTREAM_DLQ_TOPIC', name, DLQ_TOPIC),
    batchSize: envVar('TRACKSTREAM_REPLAY_BATCH_SIZE', positiveInt, '1000'),
    // The live projectors' groups are <prefix>postgres and <prefix>clickhouse (their TRACKSTREAM_PROJECTOR_GROUP_ID).
    projectorGroupPrefix: envVar('TRACKSTREAM_PROJECTOR_GROUP_PREFIX', z.string().min(1), 'trackstream-projector-'),
    auth: envVar('TRACKSTREAM_AUTH', z.enum(['on', 'off']), 'on'),
    authSchema: authEnv.authPgSchema,
  };
}
/** The CLI's configuration, parsed once from the environment (loadConfig) and frozen. */
export type CliConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Record<string, string | undefined>) {
  const cfg = parseEnv(cliSpec(), env);
  // The adapter's URL rule: the path names the database (default `trackstream`).
  const chDatabase = splitDatabase(cfg.clickhouseUrl).database ?? DEFAULT_DATABASE;
  // TRACKSTREAM_TOKEN is read as is, not through parseEnv: a config error would quote the value.
  const token = env.TRACKSTREAM_TOKEN === undefined || env.TRACKSTREAM_TOKEN === '' ? undefined : env.TRACKSTREAM_TOKEN;
  return Object.freeze({ ...cfg, chDatabase, token });
}

/** One command: its help text and its body, which gets the shared context (config parsed once, connections). */
export interface Command {
  readonly help: string;
  run(ctx: Context, args: string[], io: CliIo): Promise<number>;
}

/** Replays and verifies run long statements (whole-table checksums): longer than a service's request timeout. */
const CH_REQUEST_TIMEOUT_MS = 60_000;

/** Connections, opened on first use and all closed at the end. */
export class Context {
  private pool?: Pool;
  private ch?: ClickHouseClient;
  private kafkaClient?: Kafka;
  private tokens?: Promise<TokenStore>;
  private readonly closers: (() => Promise<void>)[] = [];
  readonly auth: AuthContext;

  constructor(
    readonly cfg: CliConfig,
    readonly logger: Logger,
  ) {
    this.auth = { enabled: cfg.auth === 'on', token: cfg.token, store: () => this.tokenStore() };
  }

  /** The token store in TRACKSTREAM_AUTH_PG_SCHEMA, migrated (idempotent) on first use. */
  tokenStore(): Promise<TokenStore> {
    this.tokens ??= (async () => {
      const store = new PostgresTokenStore(await this.pg(), { schema: this.cfg.authSchema });
      await store.migrate();
      return store;
    })();
    return this.tokens;
  }

  get kafka(): Kafka {
    this.kafkaClient ??= createKafkaClient({ clientId: 'trackstream-cli', brokers: this.cfg.kafkaBrokers, logger: this.logger, logLevel: 'error' });
    return this.kafkaClient;
  }

  async pg(): Promise<Pool> {
    if (!this.pool) {
      const pool = new Pool({ connectionString: this.cfg.pgUrl, max: 4, connectionTimeoutMillis: 5_000 });
      pool.on('error', () => undefined);
      this.pool = pool;
      this.closers.push(() => pool.end());
      await pgQuery(pool, 'SELECT 1');
    }
    return this.pool;
  }

  async clickhouse(): Promise<ClickHouseClient> {
    if (!this.ch) {
      // The one client factory; statements name their databases in full (replay and verify work across several).
      const { client } = createClickHouseClient({ url: this.cfg.clickhouseUrl, requestTimeoutMs: CH_REQUEST_TIMEOUT_MS });
      this.ch = client;
      this.closers.push(() => client.close());
      await chQuery(client, 'SELECT 1 AS x');
    }
    return this.ch;
  }

  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c().catch(() => undefined);
  }
}

