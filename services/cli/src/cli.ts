import { ConfigError } from '@trackstream/config';
import { runCli as runSdkCli } from '@trackstream/sdk';
import { createJsonLogger } from '@trackstream/telemetry';
import { CliError, messageOf } from './errors';
import { Context, loadConfig, type CliIo } from './commands/context';
import { COMMANDS } from './commands/registry';

export type { CliIo } from './commands/context';
export { parseCutoff } from './commands/replay';

const USAGE = `usage: trackstream <command> [options]   (trackstream <command> --help for details)

commands:
  replay   rebuild a projection from the log into a new schema/database (resumable), then keep it or switch to it
  verify   compare two projections table by table (row counts, content checksums)
  export   the decoded event history of a run or an experiment, in log order (jsonl or csv)
  audit    a readable timeline of a run: who sent what, when, conflicts, redeliveries, rejected records
  sync     send the events the SDK spooled to disk to the gateway (see trackstream sync --help)
  tokens   create, list and revoke API tokens (trackstream tokens --help)
  artifacts gc [--dry-run] [--grace 24h]: delete blobs no event references (trackstream artifacts --help)
  import-mlflow  append an MLflow tracking server's experiments, runs and histories as events (idempotent)

environment: TRACKSTREAM_KAFKA_BROKERS, TRACKSTREAM_PG_URL, TRACKSTREAM_CLICKHOUSE_URL (its path names the live
database), TRACKSTREAM_PG_SCHEMA (live schema, default public), TRACKSTREAM_EVENTS_TOPIC, TRACKSTREAM_DLQ_TOPIC,
TRACKSTREAM_PROJECTOR_GROUP_PREFIX (default trackstream-projector-), TRACKSTREAM_REPLAY_BATCH_SIZE,
TRACKSTREAM_LOG_LEVEL; TRACKSTREAM_AUTH (on|off, default on), TRACKSTREAM_TOKEN (the token this command presents),
TRACKSTREAM_AUTH_PG_SCHEMA (where tokens live, default trackstream_auth).

access (TRACKSTREAM_AUTH=on): replay and verify need an auditor or admin token of every project ('*'); export and
audit need an auditor or admin token and show only its project's runs and experiments (another project's are "not
found"); import-mlflow needs a write token of the --project; tokens needs an admin token, except to create the first admin (see trackstream tokens --help).
Security model: docs/security.md.

Exit status: 0 ok, 1 failure, difference found or not found, 2 bad arguments, 3 not authorized (TRACKSTREAM_TOKEN
missing, unknown, revoked, expired, or without the role/project the command needs), 130 interrupted.`;

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
  const cmd = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (cmd === undefined) {
    io.err.write(`trackstream: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
    return 2;
  }
  const help = cmd.help;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(help);
    return 0;
  }
  try {
    const cfg = loadConfig(env);
    const logger = createJsonLogger({ level: cfg.logLevel === 'info' ? 'warn' : cfg.logLevel, write: (l) => io.err.write(`${l}\n`) });
    const ctx = new Context(cfg, logger);
    try {
      return await cmd.run(ctx, rest, io);
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

