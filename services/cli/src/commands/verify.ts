import { parseFlags, storeName, stringFlag } from '../args';
import { chVerify } from '../ch-store';
import { usageError } from '../errors';
import { pgVerify } from '../pg-store';
import { requireCapability } from '../tokens';
import { formatVerify } from '../verify';
import type { CliIo, Command, Context } from './context';
import { projectionFlag } from './projection-flag';

export const HELP = `usage: trackstream verify --projection postgres|clickhouse --a SCHEMA_OR_DB --b SCHEMA_OR_DB

Compares row counts and order-independent checksums (computed in SQL; ClickHouse read with FINAL) of every
projected table and lists rows found on one side only. Not compared: checkpoints, applied event ids, the
run_metric_summaries view (derived from metric_points). Exit status 1 when anything differs.`;

async function runVerify(ctx: Context, args: string[], io: CliIo): Promise<number> {
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

export const verifyCommand: Command = { help: HELP, run: runVerify };
