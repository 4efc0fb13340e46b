import { ClickHouseSink } from '@trackstream/clickhouse';
import { PostgresSink } from '@trackstream/postgres';
import type { ProjectionSink } from '@trackstream/projection';
import { parseFlags, parseTime, storeName, stringFlag } from '../args';
import { chCheckpoints, chDatabaseExists, chSwitch, chVerify } from '../ch-store';
import { CliError, messageOf, usageError } from '../errors';
import { topicBounds } from '../log-reader';
import { pgCheckpoints, pgSchemaExists, pgSwitch, pgVerify } from '../pg-store';
import { Progress } from '../progress';
import { endOffsets, replay, type Cutoff } from '../replay';
import { requireCapability } from '../tokens';
import { formatVerify } from '../verify';
import type { CliIo, Command, Context } from './context';
import { projectionFlag, type Projection } from './projection-flag';

export const HELP = `usage: trackstream replay --projection postgres|clickhouse|all [--until CUTOFF] [--target NAME] [--switch [--force] | --keep] [--batch-size N]

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
  --batch-size  records per store write (default 1000; the result does not depend on it)`;

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

async function runReplay(ctx: Context, args: string[], io: CliIo): Promise<number> {
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


export const replayCommand: Command = { help: HELP, run: runReplay };
