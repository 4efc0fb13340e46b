import { envVar, logLevel, parseEnv, url } from '@trackstream/config';
import { createJsonLogger } from '@trackstream/telemetry';
import { z } from 'zod';
import { SDK_DEFAULTS } from './options';
import { recoverSpools } from './recovery';
import { defaultSpoolDir } from './spool';
import { HttpTransport } from './transport';

const USAGE = `usage: trackstream sync [--url URL] [--dir SPOOL_DIR] [--any-url] [--attempts N]

Sends the events that crashed or offline processes left in the spool directory to the gateway.
  --url       gateway base URL (env TRACKSTREAM_URL, default ${SDK_DEFAULTS.syncUrl})
  --dir       spool directory (env TRACKSTREAM_SPOOL_DIR, default ~/.trackstream/spool)
  --any-url   also send spools that were written for another gateway URL
  --attempts  failed attempts per batch before giving up on a file (default ${SDK_DEFAULTS.maxAttemptsPerBatch})
Token: env TRACKSTREAM_TOKEN. Exit status 0 when everything was sent, 1 when something is left, 2 on usage errors.`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** The composition root of the `trackstream` command: the only place the SDK package reads the environment. */
export async function runCli(argv: readonly string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'sync') {
    io.err(`trackstream: unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return 2;
  }
  const flags = parseFlags(rest);
  if ('error' in flags) {
    io.err(`trackstream: ${flags.error}\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = parseEnv(
      {
        url: envVar('TRACKSTREAM_URL', url(['http:', 'https:']), SDK_DEFAULTS.syncUrl),
        spoolDir: envVar('TRACKSTREAM_SPOOL_DIR', z.string().min(1), defaultSpoolDir()),
        logLevel: envVar('TRACKSTREAM_LOG_LEVEL', logLevel, 'info'),
      },
      { ...env, ...(flags.url ? { TRACKSTREAM_URL: flags.url } : {}), ...(flags.dir ? { TRACKSTREAM_SPOOL_DIR: flags.dir } : {}) },
    );
  } catch (err) {
    io.err(`trackstream: ${(err as Error).message}`);
    return 2;
  }
  const logger = createJsonLogger({ level: config.logLevel, write: (l) => io.err(l) });
  const token = env.TRACKSTREAM_TOKEN === undefined || env.TRACKSTREAM_TOKEN.trim() === '' ? undefined : env.TRACKSTREAM_TOKEN.trim();
  const transport = new HttpTransport({ url: config.url, token, compression: SDK_DEFAULTS.compression, requestTimeoutMs: SDK_DEFAULTS.requestTimeoutMs });
  try {
    const report = await recoverSpools({
      dir: config.spoolDir,
      url: flags.anyUrl ? null : config.url,
      transport,
      backoff: SDK_DEFAULTS.backoff,
      logger,
      maxAttemptsPerBatch: flags.attempts ?? SDK_DEFAULTS.maxAttemptsPerBatch,
    });
    io.out(
      `trackstream sync: ${report.files} spool file(s), ${report.sentEvents} event(s) sent, ${report.rejectedEvents} rejected, ` +
        `${report.corruptRecords} damaged record(s) skipped` +
        (report.leftFiles.length > 0 ? `; left for later: ${report.leftFiles.join(', ')}` : ''),
    );
    if (report.denied) io.err(`trackstream sync: ${report.denied.message}`);
    return report.leftFiles.length > 0 ? 1 : 0;
  } finally {
    transport.close();
  }
}

function parseFlags(args: string[]): { url?: string; dir?: string; anyUrl: boolean; attempts?: number } | { error: string } {
  const out: { url?: string; dir?: string; anyUrl: boolean; attempts?: number } = { anyUrl: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    switch (name) {
      case '--url':
        out.url = value();
        if (!out.url) return { error: '--url needs a value' };
        break;
      case '--dir':
        out.dir = value();
        if (!out.dir) return { error: '--dir needs a value' };
        break;
      case '--any-url':
        out.anyUrl = true;
        break;
      case '--attempts': {
        const n = Number(value());
        if (!Number.isSafeInteger(n) || n < 1) return { error: '--attempts needs a positive integer' };
        out.attempts = n;
        break;
      }
      default:
        return { error: `unknown option ${a}` };
    }
  }
  return out;
}
