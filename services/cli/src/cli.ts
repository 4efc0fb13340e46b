import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { Pool } from 'pg';
import { z } from 'zod';
import { DEFAULT_AUTH_SCHEMA, PostgresTokenStore, readableProjects, type TokenStore } from '@trackstream/auth';
import { ClickHouseSink } from '@trackstream/clickhouse';
import { ConfigError, commonEnv, envVar, parseEnv, positiveInt } from '@trackstream/config';
import { DLQ_TOPIC, EVENTS_TOPIC } from '@trackstream/events';
import { createKafkaClient } from '@trackstream/kafka';
import { PostgresSink } from '@trackstream/postgres';
import type { ProjectionSink } from '@trackstream/projection';
import { runCli as runSdkCli } from '@trackstream/sdk';
import { createJsonLogger, type Logger } from '@trackstream/telemetry';
import type { Kafka } from 'kafkajs';
import { parseFlags, parseTime, storeName, stringFlag } from './args';
import { auditTimeline, readDeadLetters } from './audit';
import { chCheckpoints, chDatabaseExists, chQuery, chSwitch, chVerify } from './ch-store';
import { CliError, messageOf, usageError } from './errors';
import { formatEvent, readHistory } from './history';
import { pgCheckpoints, pgQuery, pgSchemaExists, pgSwitch, pgVerify } from './pg-store';
import { Progress } from './progress';
import { requireCapability, requireRole, tokensCommand, type AuthContext } from './tokens';
import { topicBounds } from './log-reader';
import { endOffsets, replay, type Cutoff } from './replay';
import { formatVerify } from './verify';

export interface CliIo {
  out(line: string): void;
  /** Progress and diagnostics. */
  err: { write(s: string): void; isTTY?: boolean };
  /** Aborted on Ctrl-C / SIGTERM: a replay stops after the batch in flight and can be resumed. */
  signal?: AbortSignal;
}

const USAGE = `usage: trackstream <command> [options]   (trackstream <command> --help for details)

commands:
  replay   rebuild a projection from the log into a new schema/database (resumable), then keep it or switch to it
  verify   compare two projections table by table (row counts, content checksums)
  export   the decoded event history of a run or an experiment, in log order (jsonl or csv)
  audit    a readable timeline of a run: who sent what, when, conflicts, redeliveries, rejected records
  sync     send the events the SDK spooled to disk to the gateway (see trackstream sync --help)
  tokens   create, list and revoke API tokens (trackstream tokens --help)

environment: TRACKSTREAM_KAFKA_BROKERS, TRACKSTREAM_PG_URL, TRACKSTREAM_CLICKHOUSE_URL (its path names the live
database), TRACKSTREAM_PG_SCHEMA (live schema, default public), TRACKSTREAM_EVENTS_TOPIC, TRACKSTREAM_DLQ_TOPIC,
TRACKSTREAM_PROJECTOR_GROUP_PREFIX (default trackstream-projector-), TRACKSTREAM_REPLAY_BATCH_SIZE,
TRACKSTREAM_LOG_LEVEL; TRACKSTREAM_AUTH (on|off, default on), TRACKSTREAM_TOKEN (the token this command presents),
TRACKSTREAM_AUTH_PG_SCHEMA (where tokens live, default trackstream_auth).

access (TRACKSTREAM_AUTH=on): replay and verify need an auditor or admin token of every project ('*'); export and
audit need an auditor or admin token and show only its project's runs and experiments (another project's are "not
found"); tokens needs an admin token, except to create the first admin (see trackstream tokens --help).
Security model: docs/security.md.

Exit status: 0 ok, 1 failure, difference found or not found, 2 bad arguments, 3 not authorized (TRACKSTREAM_TOKEN
missing, unknown, revoked, expired, or without the role/project the command needs), 130 interrupted.`;

const HELP: Record<string, string> = {
  tokens: `usage: trackstream tokens create --principal WHO --project NAME|'*' --role writer|reader|auditor|admin [--rate N] [--expires WHEN]
       trackstream tokens list
       trackstream tokens revoke TOKEN_ID

API tokens for the gateway, the query API and this command (docs/security.md). Stored in Postgres
(TRACKSTREAM_PG_URL, schema TRACKSTREAM_AUTH_PG_SCHEMA, default trackstream_auth) as sha256 hashes only.
  create   prints the new token once on stdout (nothing else goes to stdout: TOKEN=$(trackstream tokens create ...));
           it cannot be shown again. Roles: writer (send events), reader (query), auditor (query, replay, verify,
           export, audit), admin (all of these, and manage tokens). --project '*' covers every project.
           --rate      the token's gateway budget in events/s (default: the gateway's TRACKSTREAM_GATEWAY_RATE_LIMIT)
           --expires   ISO timestamp or a duration from now: 30s, 15m, 12h, 90d, 2w (default: never)
  list     every token: id, principal, project, role, rate, created, expires, revoked (never a token or a hash)
  revoke   marks the token revoked; running services refuse it within TRACKSTREAM_AUTH_REFRESH_MS (default 2 s)
           plus one query. Revoking again changes nothing.
With TRACKSTREAM_AUTH=on (the default) every tokens command needs TRACKSTREAM_TOKEN of an admin; an admin of one
project manages only that project's tokens, an admin of '*' all of them. Bootstrap: while the store holds no active
(unrevoked, unexpired) admin token, 'tokens create --role admin' works without TRACKSTREAM_TOKEN, so the first admin
can be made by whoever can reach the database (TRACKSTREAM_PG_URL). Exit status 3 when the token is refused.`,
  replay: `usage: trackstream replay --projection postgres|clickhouse|all [--until CUTOFF] [--target NAME] [--switch [--force] | --keep] [--batch-size N]

Rebuilds the projection from the start of the log into a new Postgres schema / ClickHouse database (default
replay_<UTC timestamp>) while the live projection keeps serving. Reads with its own throw-away consumer group up to
the end offsets captured at start. Interrupted (Ctrl-C, kill)? Run the same command with --target NAME: it resumes
from the checkpoints stored in the target.
  --until    ISO timestamp or epoch ms: only events the gateway received at or before it (received_at);
             or partition:offset,... : records below those offsets (unlisted partitions: none). Not in the future.
  --target   schema/database name to build into (must not be the live one)
  --keep     leave the rebuild beside the live one as a point-in-time view (default)
  --switch   check the rebuild reached the captured end offsets, show verify against the live projection, then swap
             it in atomically; the live tables are kept as <live>_before_<target>. Refused while the live
             projector's consumer group has members (stop the projectors first) unless --force.
  --batch-size  records per store write (default 1000; the result does not depend on it)`,
  verify: `usage: trackstream verify --projection postgres|clickhouse --a SCHEMA_OR_DB --b SCHEMA_OR_DB

Compares row counts and order-independent checksums (computed in SQL; ClickHouse read with FINAL) of every
projected table and lists rows found on one side only. Not compared: checkpoints, applied event ids, the
run_metric_summaries view (derived from metric_points). Exit status 1 when anything differs.`,
  export: `usage: trackstream export (--run ID | --experiment ID) [--from TIME] [--to TIME] [--format jsonl|csv] [--out FILE]

The decoded events, in log order (partition, offset), read from the log itself. --from/--to (ISO or ms, inclusive)
filter on received_at. jsonl: one eventToJson object per line plus partition and offset. csv: header line, then
partition,offset,event_id,type,project,experiment_id,run_id,occurred_at,received_at,principal,payload(JSON).`,
  audit: `usage: trackstream audit --run ID

A timeline of the run in log order: occurred_at (producer clock) and received_at (gateway), the principal, what
each event changed; params logged again with another value (conflicts, the first value stays), redelivered event
ids (applied once), and records of the run the projectors sent to the DLQ with their reason.`,
};

function cliSpec() {
  const name = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name');
  return {
    ...commonEnv,
    topic: envVar('TRACKSTREAM_EVENTS_TOPIC', name, EVENTS_TOPIC),
    dlqTopic: envVar('TRACKSTREAM_DLQ_TOPIC', name, DLQ_TOPIC),
    pgSchema: envVar('TRACKSTREAM_PG_SCHEMA', z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a Postgres schema name'), 'public'),
    batchSize: envVar('TRACKSTREAM_REPLAY_BATCH_SIZE', positiveInt, '1000'),
    // The live projectors' groups are <prefix>postgres and <prefix>clickhouse (their TRACKSTREAM_PROJECTOR_GROUP_ID).
    projectorGroupPrefix: envVar('TRACKSTREAM_PROJECTOR_GROUP_PREFIX', z.string().min(1), 'trackstream-projector-'),
    auth: envVar('TRACKSTREAM_AUTH', z.enum(['on', 'off']), 'on'),
    authSchema: envVar('TRACKSTREAM_AUTH_PG_SCHEMA', z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a Postgres schema name'), DEFAULT_AUTH_SCHEMA),
  };
}
type CliConfig = ReturnType<typeof loadConfig>;

function loadConfig(env: Record<string, string | undefined>) {
  const cfg = parseEnv(cliSpec(), env);
  const u = new URL(cfg.clickhouseUrl);
  const chDatabase = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, '')) || 'trackstream';
  u.pathname = '/';
  // TRACKSTREAM_TOKEN is read as is, not through parseEnv: a config error would quote the value.
  const token = env.TRACKSTREAM_TOKEN === undefined || env.TRACKSTREAM_TOKEN === '' ? undefined : env.TRACKSTREAM_TOKEN;
  return { ...cfg, chDatabase, chServerUrl: u.toString(), token };
}

/** The composition root of the `trackstream` command: the only place that reads the environment. */
export async function runCli(argv: readonly string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'sync') {
    return runSdkCli(['sync', ...rest], env, { out: (l) => io.out(l), err: (l) => io.err.write(`${l}\n`) });
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  const help = HELP[command];
  if (help === undefined) {
    io.err.write(`trackstream: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(help);
    return 0;
  }
  try {
    const cfg = loadConfig(env);
    const logger = createJsonLogger({ level: cfg.logLevel === 'info' ? 'warn' : cfg.logLevel, write: (l) => io.err.write(`${l}\n`) });
    const ctx = new Context(cfg, logger);
    try {
      switch (command) {
        case 'replay':
          return await replayCommand(ctx, rest, io);
        case 'verify':
          return await verifyCommand(ctx, rest, io);
        case 'export':
          return await exportCommand(ctx, rest, io);
        case 'tokens':
          return await tokensCommand(ctx.auth, rest, io);
        default:
          return await auditCommand(ctx, rest, io);
      }
    } finally {
      await ctx.close();
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err.write(`trackstream: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CliError) {
      io.err.write(`trackstream ${command}: ${err.message}\n${err.exitCode === 2 ? `${help}\n` : ''}`);
      return err.exitCode;
    }
    io.err.write(`trackstream ${command}: ${messageOf(err)}\n`);
    return 1;
  }
}

/** Connections, opened on first use and all closed at the end. */
class Context {
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
      const client = createClient({ url: this.cfg.chServerUrl, request_timeout: 60_000, log: { level: ClickHouseLogLevel.OFF } });
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

type Projection = 'postgres' | 'clickhouse';

function projectionFlag(v: string | undefined, allowAll: boolean): Projection[] {
  if (v === 'postgres' || v === 'clickhouse') return [v];
  if (allowAll && v === 'all') return ['postgres', 'clickhouse'];
  throw usageError(`--projection must be postgres, clickhouse${allowAll ? ' or all' : ''}${v === undefined ? '' : ` (got ${JSON.stringify(v)})`}`);
}

export function parseCutoff(value: string | undefined, now: number): Cutoff {
  if (value === undefined) return { kind: 'end' };
  if (/^\d+:\d+(,\d+:\d+)*$/.test(value)) {
    const offsets = new Map<number, bigint>();
    for (const part of value.split(',')) {
      const [p, o] = part.split(':');
      offsets.set(Number(p), BigInt(o!));
    }
    return { kind: 'offsets', offsets };
  }
  const ms = parseTime(value, '--until');
  if (ms > now) throw new CliError('CUTOFF_IN_FUTURE', `--until ${value} is in the future (now is ${new Date(now).toISOString()})`, { exitCode: 2 });
  return { kind: 'time', ms };
}

function defaultTarget(now: number): string {
  return `replay_${new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}

async function replayCommand(ctx: Context, args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, ['projection', 'until', 'target', 'batch-size'], ['switch', 'keep', 'force']);
  const projections = projectionFlag(stringFlag(flags, 'projection'), true);
  if (flags.switch && flags.keep) throw usageError('--switch and --keep exclude each other');
  const now = Date.now();
  const cutoff = parseCutoff(stringFlag(flags, 'until'), now);
  if (flags.switch && cutoff.kind !== 'end') throw usageError('--switch replaces the live projection: it cannot be a point-in-time view (drop --until)');
  const target = storeName(stringFlag(flags, 'target') ?? defaultTarget(now), '--target');
  const batch = stringFlag(flags, 'batch-size');
  const batchSize = batch === undefined ? ctx.cfg.batchSize : Number(batch);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw usageError('--batch-size needs a positive integer');
  const live: Record<Projection, string> = { postgres: ctx.cfg.pgSchema, clickhouse: ctx.cfg.chDatabase };
  for (const p of projections) if (target === live[p]) throw usageError(`--target ${target} is the live ${p} projection`);
  // A replay reads every project's events.
  await requireCapability(ctx.auth, 'replay', 'audit', '*');

  // Reach every store before writing anything, so a bad address fails fast with nothing created.
  const sinks: ProjectionSink[] = [];
  for (const p of projections) {
    if (p === 'postgres') {
      await ctx.pg();
      const sink = new PostgresSink({ connectionString: ctx.cfg.pgUrl, schema: target, logger: ctx.logger });
      ctx.onClose(() => sink.close());
      sinks.push(sink);
    } else {
      await ctx.clickhouse();
      const sink = new ClickHouseSink({ url: ctx.cfg.clickhouseUrl, database: target, logger: ctx.logger });
      ctx.onClose(() => sink.close());
      sinks.push(sink);
    }
  }
  // The log too, and the cutoff against it, before anything is created.
  endOffsets(await topicBounds(ctx.kafka, ctx.cfg.topic), cutoff, ctx.cfg.topic);
  if (flags.switch) await refuseWhileLive(ctx, projections, flags.force === true);
  for (const s of sinks) {
    try {
      await s.setup();
    } catch (err) {
      throw new CliError('STORE_UNAVAILABLE', `${s.name}: cannot create ${target}: ${messageOf(err)}`, { retriable: true, cause: err });
    }
  }
  io.err.write(`replaying ${ctx.cfg.topic} into ${projections.map((p) => `${p}:${target}`).join(', ')}\n`);
  const report = await replay({
    kafka: ctx.kafka,
    topic: ctx.cfg.topic,
    sinks,
    cutoff,
    batchSize,
    groupId: `trackstream-replay-${target}-${now.toString(36)}`,
    signal: io.signal,
    progress: (total) => new Progress(total, io.err, 'replay'),
  });
  const rate = report.seconds > 0 ? Math.round(report.records / report.seconds) : report.records;
  io.out(
    `replay ${report.interrupted ? 'interrupted' : 'done'}: target ${target}, ${report.records} record(s) read, ${report.applied} applied, ` +
      `${report.skipped} skipped (undecodable or refused), ${report.points} metric point(s), ${report.seconds.toFixed(1)} s, ${rate} records/s`,
  );
  if (report.interrupted) {
    io.err.write(`interrupted: run the same command with --target ${target} to resume\n`);
    return 130;
  }
  if (!flags.switch) {
    io.out(`kept beside the live projection: ${projections.map((p) => `${p} ${p === 'postgres' ? 'schema' : 'database'} ${target}`).join(', ')}`);
    return 0;
  }
  // Every store must be complete before either is switched, so `all` never switches one and then refuses the other.
  for (const p of projections) {
    const reached = p === 'postgres' ? await pgCheckpoints(await ctx.pg(), target, ctx.cfg.topic) : await chCheckpoints(await ctx.clickhouse(), target, ctx.cfg.topic);
    for (const [partition, end] of report.ends) {
      if (end > 0n && (reached.get(partition) ?? 0n) < end) {
        throw new CliError('REPLAY_INCOMPLETE', `${p}: ${target} reached offset ${reached.get(partition) ?? 0n} of ${end} in partition ${partition}; not switching`);
      }
    }
  }
  const switched: string[] = [];
  for (const p of projections) {
    const backup = `${live[p]}_before_${target}`.slice(0, 63);
    const exists = p === 'postgres' ? await pgSchemaExists(await ctx.pg(), live[p]) : await chDatabaseExists(await ctx.clickhouse(), live[p]);
    if (exists) {
      const v = p === 'postgres' ? await pgVerify(await ctx.pg(), target, live[p]) : await chVerify(await ctx.clickhouse(), target, live[p]);
      for (const l of formatVerify(v, target, live[p])) io.out(`${p}: ${l}`);
    }
    try {
      if (p === 'postgres') await pgSwitch(await ctx.pg(), live[p], target, backup);
      else await chSwitch(await ctx.clickhouse(), live[p], target, backup);
    } catch (err) {
      if (switched.length === 0) throw err;
      throw new CliError('SWITCH_PARTIAL', `${messageOf(err)}; already switched: ${switched.join(', ')} — rerun --switch for ${p} alone or switch back`, { cause: err });
    }
    switched.push(`${p} (previous tables in ${backup})`);
    io.out(`${p}: switched — ${target} is now ${live[p]}; the previous tables are in ${backup}`);
  }
  return 0;
}

/** A switch under a running projector would leave it with checkpoints cached for the old tables. */
async function refuseWhileLive(ctx: Context, projections: Projection[], force: boolean): Promise<void> {
  const admin = ctx.kafka.admin();
  try {
    await admin.connect();
    const groups = projections.map((p) => `${ctx.cfg.projectorGroupPrefix}${p}`);
    const { groups: described } = await admin.describeGroups(groups);
    const active = described.filter((g) => g.members.length > 0).map((g) => `${g.groupId} (${g.members.length} member(s))`);
    if (active.length > 0 && !force) {
      throw new CliError('LIVE_PROJECTOR_RUNNING', `refusing to switch while live projectors run: ${active.join(', ')}. Stop them, switch, start them again (or --force)`, { exitCode: 1 });
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError('LOG_UNAVAILABLE', `cannot check the live projector groups: ${messageOf(err)}`, { retriable: true, cause: err });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function verifyCommand(ctx: Context, args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, ['projection', 'a', 'b']);
  const [p] = projectionFlag(stringFlag(flags, 'projection'), false);
  const a = stringFlag(flags, 'a');
  const b = stringFlag(flags, 'b');
  if (a === undefined || b === undefined) throw usageError('verify needs --a and --b');
  storeName(a, '--a');
  storeName(b, '--b');
  await requireCapability(ctx.auth, 'verify', 'audit', '*');
  const report = p === 'postgres' ? await pgVerify(await ctx.pg(), a, b) : await chVerify(await ctx.clickhouse(), a, b);
  for (const l of formatVerify(report, a, b)) io.out(l);
  return report.differences.length === 0 ? 0 : 1;
}

async function exportCommand(ctx: Context, args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, ['run', 'experiment', 'from', 'to', 'format', 'out']);
  const run = stringFlag(flags, 'run');
  const experiment = stringFlag(flags, 'experiment');
  if ((run === undefined) === (experiment === undefined)) throw usageError('export needs exactly one of --run and --experiment');
  const format = stringFlag(flags, 'format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw usageError('--format must be jsonl or csv');
  const from = flags.from === undefined ? -Infinity : parseTime(stringFlag(flags, 'from')!, '--from');
  const to = flags.to === undefined ? Infinity : parseTime(stringFlag(flags, 'to')!, '--to');
  const grant = await requireRole(ctx.auth, 'export', 'audit');
  const projects = grant === null ? null : readableProjects(grant);
  const events = await readHistory(ctx.kafka, ctx.cfg.topic, run !== undefined ? { run } : { experiment: experiment! }, `trackstream-export-${Date.now().toString(36)}`, projects);
  const lines = events.filter((e) => e.event.received_at >= from && e.event.received_at <= to).map((e) => formatEvent(e, format));
  if (format === 'csv') lines.unshift('partition,offset,event_id,type,project,experiment_id,run_id,occurred_at,received_at,principal,payload');
  const outFile = stringFlag(flags, 'out');
  if (outFile !== undefined) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(outFile, lines.map((l) => `${l}\n`).join(''));
    io.err.write(`${lines.length - (format === 'csv' ? 1 : 0)} event(s) written to ${outFile}\n`);
  } else for (const l of lines) io.out(l);
  return 0;
}

async function auditCommand(ctx: Context, args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, ['run']);
  const run = stringFlag(flags, 'run');
  if (run === undefined) throw usageError('audit needs --run');
  const grant = await requireRole(ctx.auth, 'audit', 'audit');
  const stamp = Date.now().toString(36);
  const events = await readHistory(ctx.kafka, ctx.cfg.topic, { run }, `trackstream-audit-${stamp}`, grant === null ? null : readableProjects(grant));
  const dead = await readDeadLetters(ctx.kafka, ctx.cfg.dlqTopic, run, `trackstream-audit-dlq-${stamp}`);
  for (const l of auditTimeline(run, events, dead)) io.out(l);
  return 0;
}
