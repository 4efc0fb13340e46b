import { readableProjects } from '@trackstream/auth';
import { parseFlags, stringFlag } from '../args';
import { auditTimeline, readDeadLetters } from '../audit';
import { usageError } from '../errors';
import { readHistory } from '../history';
import { requireRole } from '../tokens';
import type { CliIo, Command, Context } from './context';

export const HELP = `usage: trackstream audit --run ID | --experiment ID

A timeline of the run in log order: occurred_at (producer clock) and received_at (gateway), the principal, what
each event changed (notes, annotations, stars and pins too); params logged again with another value (conflicts, the
first value stays), redelivered event ids (applied once), and records of the run the projectors sent to the DLQ with
their reason. With --experiment: the experiment's own events (creation, renames, tags, its notes and saved views),
not its runs'.`;

async function runAudit(ctx: Context, args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, ['run', 'experiment']);
  const run = stringFlag(flags, 'run');
  const experiment = stringFlag(flags, 'experiment');
  if ((run === undefined) === (experiment === undefined)) throw usageError('audit needs --run or --experiment (one of them)');
  const grant = await requireRole(ctx.auth, 'audit', 'audit');
  const stamp = Date.now().toString(36);
  const projects = grant === null ? null : readableProjects(grant);
  const filter = run !== undefined ? { run } : { experiment: experiment! };
  const all = await readHistory(ctx.kafka, ctx.cfg.topic, filter, `trackstream-audit-${stamp}`, projects);
  const events = run !== undefined ? all : all.filter((e) => e.event.run_id === null);
  // Experiment-level events are keyed by the experiment id, a run's by its id: the DLQ keeps the key.
  const id = run ?? experiment!;
  const dead = await readDeadLetters(ctx.kafka, ctx.cfg.dlqTopic, id, `trackstream-audit-dlq-${stamp}`);
  for (const l of auditTimeline(run !== undefined ? `run ${run}` : `experiment ${experiment}`, events, dead)) io.out(l);
  return 0;
}

export const auditCommand: Command = { help: HELP, run: runAudit };
