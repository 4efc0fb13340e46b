import { PG_TABLES, quoteSchema } from '@trackstream/postgres';
import { KafkaEventLog } from '@trackstream/kafka';
import { LIMITS } from '@trackstream/events';
import { parseFlags, stringFlag } from '../args';
import { usageError } from '../errors';
import { importMlflow, MlflowRestSource } from '../mlflow-import';
import { pgQuery } from '../pg-store';
import { Progress } from '../progress';
import { requireCapability } from '../tokens';
import type { CliIo, Command, Context } from './context';

export const HELP = `usage: trackstream import-mlflow --from http://HOST:PORT [--project NAME] [--page-size N]

Reads an MLflow tracking server through its REST API (experiments, deleted ones too; every run of each, page by
page; params, tags and each metric's full history) and appends them as events to TRACKSTREAM_EVENTS_TOPIC, validated
as the gateway validates events. Event ids derive from MLflow's ids, so importing the same server again appends
only what is new (events the Postgres projection has applied are skipped). MLflow's experiment 0 becomes the
project's Default experiment.
  --from     the MLflow server's base URL (what MLFLOW_TRACKING_URI would be)
  --project  the Trackstream project to import into (default: default)
  --page-size  max_results of each listing request (experiments, runs, metric history; default 1000)`;

async function runImport(ctx: Context, args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, ['from', 'project', 'page-size']);
  const from = stringFlag(flags, 'from');
  if (from === undefined) throw usageError('--from is required: the MLflow server URL, e.g. --from http://127.0.0.1:5000');
  if (!/^https?:\/\/[^/]+/.test(from)) throw usageError(`--from ${from} is not an http(s) URL`);
  const project = stringFlag(flags, 'project') ?? 'default';
  if (!LIMITS.idPattern.test(project)) throw usageError(`--project ${project} is not a project name (letters, digits, _ . : -)`);
  const pageSize = Number(stringFlag(flags, 'page-size') ?? '1000');
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw usageError('--page-size needs an integer from 1 to 1000');
  const grant = await requireCapability(ctx.auth, 'import-mlflow', 'write', project);
  const pool = await ctx.pg();
  const eventLog = new KafkaEventLog({ kafka: ctx.kafka, topic: ctx.cfg.topic, logger: ctx.logger });
  ctx.onClose(() => eventLog.close());
  const s = quoteSchema(ctx.cfg.pgSchema);
  io.err.write(`importing ${from} into project ${project} (${ctx.cfg.topic})\n`);
  const summary = await importMlflow({
    source: new MlflowRestSource(from, pageSize),
    eventLog,
    project,
    principal: grant?.principal ?? 'mlflow-import',
    applied: async (ids) => {
      // Before the projector's first start the table is not there: nothing is applied yet.
      const [t] = await pgQuery<{ ok: boolean }>(pool, 'SELECT to_regclass($1) IS NOT NULL AS ok', [`${s}.${PG_TABLES.appliedEvents}`]);
      if (!t?.ok) return new Set();
      const rows = await pgQuery<{ id: string }>(pool, `SELECT event_id::text AS id FROM ${s}.${PG_TABLES.appliedEvents} WHERE event_id = ANY($1::uuid[])`, [ids]);
      return new Set(rows.map((r) => r.id));
    },
    progress: (total) => new Progress(total, io.err, 'import-mlflow runs'),
  });
  for (const line of summary.invalid) io.err.write(`refused: ${line}\n`);
  io.out(
    `import-mlflow done: ${summary.experiments} experiment(s), ${summary.runs} run(s) read; ${summary.events} event(s) imported ` +
      `(${summary.points} metric point(s)), ${summary.skipped} skipped (already imported), ${summary.invalid.length} refused`,
  );
  return summary.invalid.length > 0 ? 1 : 0;
}

export const importMlflowCommand: Command = { help: HELP, run: runImport };
