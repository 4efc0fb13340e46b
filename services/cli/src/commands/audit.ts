import { readableProjects } from '@trackstream/auth';
import { parseFlags, stringFlag } from '../args';
import { auditTimeline, readDeadLetters } from '../audit';
import { usageError } from '../errors';
import { readHistory } from '../history';
import { requireRole } from '../tokens';
import type { CliIo, Command, Context } from './context';

export const HELP = `usage: trackstream audit --run ID

A timeline of the run in log order: occurred_at (producer clock) and received_at (gateway), the principal, what
each event changed; params logged again with another value (conflicts, the first value stays), redelivered event
ids (applied once), and records of the run the projectors sent to the DLQ with their reason.`;

async function runAudit(ctx: Context, args: string[], io: CliIo): Promise<number> {
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

export const auditCommand: Command = { help: HELP, run: runAudit };
