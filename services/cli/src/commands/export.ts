import { readableProjects } from '@trackstream/auth';
import { parseFlags, parseTime, stringFlag } from '../args';
import { usageError } from '../errors';
import { formatEvent, readHistory } from '../history';
import { requireRole } from '../tokens';
import type { CliIo, Command, Context } from './context';

export const HELP = `usage: trackstream export (--run ID | --experiment ID) [--from TIME] [--to TIME] [--format jsonl|csv] [--out FILE]

The decoded events, in log order (partition, offset), read from the log itself. --from/--to (ISO or ms, inclusive)
filter on received_at. jsonl: one eventToJson object per line plus partition and offset. csv: header line, then
partition,offset,event_id,type,project,experiment_id,run_id,occurred_at,received_at,principal,payload(JSON).`;

async function runExport(ctx: Context, args: string[], io: CliIo): Promise<number> {
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

export const exportCommand: Command = { help: HELP, run: runExport };
