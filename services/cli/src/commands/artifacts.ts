import { artifactsRawFromEnv, collectGarbage, compileArtifactStoreOptions, openBlobStore, type CollectionPlan } from '@trackstream/artifacts';
import { topicEndOffsets } from '@trackstream/kafka';
import { PostgresReader, waitForPositions } from '@trackstream/read-model';
import { parseFlags, stringFlag } from '../args';
import { usageError } from '../errors';
import { parseDuration, requireCapability } from '../tokens';
import type { CliIo, Command, Context } from './context';

export const HELP = `usage: trackstream artifacts gc [--dry-run] [--grace 24h]

Deletes blobs of the artifact store (TRACKSTREAM_ARTIFACTS_URL, TRACKSTREAM_S3_*) that no artifact_logged event
references, the staging objects of uploads cut off before they ended, and multipart uploads nobody touched, all only
once older than the grace period (default 24h; 30s, 15m, 12h, 90d, 2w): an upload in flight (its blob stored, its
event not yet in the log) is younger than that and stays. The referenced set is read from the Postgres projection
(TRACKSTREAM_PG_SCHEMA) after it caught up with the end of the log (TRACKSTREAM_EVENTS_TOPIC): gc refuses to run on
a projection that lags. --dry-run prints what would be freed and deletes nothing. Needs an admin token of '*'.`;

const CATCH_UP_MS = 30_000;

function formatPlan(plan: CollectionPlan, dryRun: boolean): string[] {
  const verb = dryRun ? 'would free' : 'freed';
  return [
    ...plan.blobs.map((b) => `blob ${b.sha256} ${b.size} bytes`),
    ...plan.staging.map((s) => `staging ${s.key} ${s.size} bytes`),
    ...plan.uploads.map((u) => `upload ${u.id} ${u.bytes} bytes`),
    `${verb} ${plan.bytes} bytes: ${plan.blobs.length} blobs, ${plan.staging.length} staging objects, ${plan.uploads.length} multipart uploads`,
  ];
}

async function runArtifacts(ctx: Context, args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'gc') throw usageError(sub === undefined ? 'artifacts needs a subcommand (gc)' : `unknown artifacts subcommand ${JSON.stringify(sub)}`);
  const flags = parseFlags(rest, ['grace'], ['dry-run']);
  const graceMs = parseDuration(stringFlag(flags, 'grace') ?? '24h', '--grace');
  const dryRun = flags['dry-run'] === true;
  await requireCapability(ctx.auth, 'artifacts gc', 'admin', '*');
  const reader = new PostgresReader(await ctx.pg(), ctx.cfg.pgSchema);
  // Every event already in the log must be projected before the referenced set can be trusted.
  const ends = await topicEndOffsets(ctx.kafka, ctx.cfg.topic);
  const positions = Object.fromEntries(Object.entries(ends).filter(([, high]) => BigInt(high) > 0n).map(([p, high]) => [p, String(BigInt(high) - 1n)]));
  if (!(await waitForPositions([(t) => reader.checkpoints(t)], { topic: ctx.cfg.topic, positions }, { timeoutMs: CATCH_UP_MS }))) {
    io.err.write(`trackstream artifacts gc: the Postgres projection (schema ${ctx.cfg.pgSchema}) has not caught up with ${ctx.cfg.topic} within ${CATCH_UP_MS / 1000} s; nothing deleted\n`);
    return 1;
  }
  const store = openBlobStore(compileArtifactStoreOptions(artifactsRawFromEnv(ctx.cfg.artifacts)));
  try {
    const plan = await collectGarbage(store, { referenced: await reader.referencedDigests(), graceMs, dryRun });
    for (const l of formatPlan(plan, dryRun)) io.out(l);
    return 0;
  } finally {
    await store.close();
  }
}

export const artifactsCommand: Command = { help: HELP, run: runArtifacts };
