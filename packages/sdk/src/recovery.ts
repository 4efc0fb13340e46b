import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '@trackstream/telemetry';
import type { BackoffOptions } from './backoff';
import { deliver } from './delivery';
import { AccessDeniedError } from './errors';
import { SDK_DEFAULTS } from './options';
import { claimOrphanSpools, safeHost, SpoolFile } from './spool';
import type { Transport, ValidationProblem } from './transport';

export interface RecoveryOptions {
  dir: string;
  /** Only spools written for this gateway URL are claimed; null claims every orphan. */
  url: string | null;
  transport: Transport;
  backoff: BackoffOptions;
  logger: Logger;
  /** Give up on a file after this many failed attempts of one batch (the file stays for the next start; default SDK_DEFAULTS). */
  maxAttemptsPerBatch?: number;
  stopped?: () => boolean;
  isAlive?: (pid: number) => boolean;
}

type CompiledRecoveryOptions = RecoveryOptions & { maxAttemptsPerBatch: number };

export interface RecoveryReport {
  files: number;
  sentEvents: number;
  rejectedEvents: number;
  /** Files that still hold unsent events (gateway unreachable); they are claimed again by the next start. */
  leftFiles: string[];
  corruptRecords: number;
  tornTailBytes: number;
  /** The gateway refused the token (401/403): nothing more was sent; every file is left for a sync with a good token. */
  denied: AccessDeniedError | null;
}

/**
 * Sends what crashed (or offline) processes left in the spool directory. Each file is claimed atomically
 * first (see claimOrphanSpools), its unacknowledged batches are sent in their original order, each success
 * is recorded in the file, and the file is deleted once empty.
 */
export async function recoverSpools(raw: RecoveryOptions): Promise<RecoveryReport> {
  // The edge of a public function: its one default applied here, once.
  const opts: Readonly<CompiledRecoveryOptions> = Object.freeze({ ...raw, maxAttemptsPerBatch: raw.maxAttemptsPerBatch ?? SDK_DEFAULTS.maxAttemptsPerBatch });
  const report: RecoveryReport = { files: 0, sentEvents: 0, rejectedEvents: 0, leftFiles: [], corruptRecords: 0, tornTailBytes: 0, denied: null };
  const files = claimOrphanSpools({ dir: opts.dir, url: opts.url, isAlive: opts.isAlive });
  for (const file of files) {
    report.files++;
    if (report.denied) {
      // The same token would be refused again: leave the file as it is for a later sync.
      report.leftFiles.push(file);
      continue;
    }
    let spool: SpoolFile;
    try {
      const opened = SpoolFile.open(file);
      spool = opened.spool;
      report.corruptRecords += opened.scan.corrupt;
      report.tornTailBytes += opened.scan.tornTailBytes;
      if (opened.scan.corrupt > 0 || opened.scan.tornTailBytes > 0) {
        opts.logger.warn('trackstream: spool had damaged records (skipped)', { file, corrupt: opened.scan.corrupt, torn_tail_bytes: opened.scan.tornTailBytes });
      }
    } catch (err) {
      opts.logger.error('trackstream: could not open a spool file', { file, err });
      report.leftFiles.push(file);
      continue;
    }
    const done = await sendFile(spool, opts, report);
    if (done) spool.remove();
    else {
      spool.close();
      report.leftFiles.push(file);
    }
  }
  if (report.files > 0) opts.logger.info('trackstream: recovered spooled events', { ...report });
  return report;
}

async function sendFile(spool: SpoolFile, opts: Readonly<CompiledRecoveryOptions>, report: RecoveryReport): Promise<boolean> {
  const maxAttempts = opts.maxAttemptsPerBatch;
  for (const seq of spool.pendingSeqs()) {
    if (opts.stopped?.()) return false;
    let wire: unknown[];
    try {
      wire = spool.readBatch(seq);
    } catch (err) {
      opts.logger.error('trackstream: unreadable spool batch skipped', { file: spool.path, seq, err });
      report.corruptRecords++;
      spool.appendAck([seq]);
      continue;
    }
    let attempts = 0;
    let rejected = 0;
    const outcome = await deliver(opts.transport, wire.map((e) => JSON.stringify(e)), {
      backoff: opts.backoff,
      stopped: () => opts.stopped?.() === true || attempts >= maxAttempts,
      sleep: (ms) => sliceSleep(ms, () => opts.stopped?.() === true),
      onRetry: (result) => {
        attempts++;
        opts.logger.warn('trackstream: gateway refused a recovered batch, retrying', { reason: result.reason, attempt: attempts });
      },
      onDenied: (result) => {
        report.denied = new AccessDeniedError(result.status, result.code, result.reason, result.message);
        opts.logger.error('trackstream: the gateway refused the API token; spool files are left for a later sync', {
          status: result.status,
          code: result.code,
          reason: result.reason,
        });
      },
      onRejected: (events, problems) => {
        report.rejectedEvents += events.length;
        rejected += events.length;
        writeRejected(path.dirname(spool.path), events, problems, opts.logger);
      },
    });
    if (outcome === 'stopped' || outcome === 'denied') return false;
    spool.appendAck([seq]);
    report.sentEvents += wire.length - rejected;
  }
  return true;
}

function writeRejected(dir: string, events: string[], problems: ValidationProblem[], logger: Logger): void {
  logger.error('trackstream: the gateway rejected recovered events as invalid; kept in the rejected file', { count: events.length });
  try {
    fs.appendFileSync(
      path.join(dir, `rejected.${safeHost(os.hostname())}.${process.pid}.jsonl`),
      events.map((e) => `{"event":${e},"problems":${JSON.stringify(problems)}}`).join('\n') + '\n',
    );
  } catch (err) {
    logger.error('trackstream: could not write the rejected file', { err });
  }
}

/** Waits in short slices so a closing client does not sit out a long backoff; false when stopped meanwhile. */
async function sliceSleep(ms: number, stopped: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (stopped()) return false;
    await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())).unref());
  }
  return !stopped();
}
