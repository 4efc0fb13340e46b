import { noopLogger, type Logger } from '@trackstream/telemetry';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { InvalidArgumentError } from './errors';
import type { BackpressurePolicy } from './policy';
import { defaultSpoolDir } from './spool';
import type { Transport } from './transport';
import { checkId } from './validate';
import { LIMITS } from './wire';

export interface TrackstreamOptions {
  /** Gateway base URL, e.g. http://localhost:8080. Not needed when offline. */
  url?: string;
  project: string;
  /**
   * API token for the gateway (sent as `Authorization: Bearer …`; needed when the gateway runs with auth on).
   * A refused token (401/403) is not retried: see FinishReport.error.
   */
  token?: string;
  /** Who is writing (x-trackstream-principal), honoured only by a gateway with auth off; default "anonymous". */
  principal?: string;
  headers?: Record<string, string>;
  /** Write only to the spool; `trackstream sync` (or a later online start) sends it. */
  offline?: boolean;
  /** Spool directory; default ~/.trackstream/spool. */
  spoolDir?: string;
  logger?: Logger;
  /**
   * A batch goes out when this many points are buffered for a run… (default 10,000: sent as events of ≤ 1,000
   * points). Measured: 1,000-point requests cost a training loop at 10k points/s about 2.3% of a core in request
   * overhead, 10,000-point requests about 1% (docs/performance.md, SDK).
   */
  flushPoints?: number;
  /** …or this often (ms, default 2000). */
  flushIntervalMs?: number;
  /** Points held in memory before the rest spills to disk (default 100 000). */
  maxBufferedPoints?: number;
  /** What log() does under pressure (gateway failing or memory full). Default 'block': lose nothing. */
  backpressure?: BackpressurePolicy;
  /** For 'downsample': keep every Nth point of each key logged under pressure (default 10). */
  downsampleEvery?: number;
  compression?: 'gzip' | 'none';
  requestTimeoutMs?: number;
  retry?: Partial<BackoffOptions>;
  /** Default deadline of run.finish() / client.close() (ms, default 30 000). */
  finishTimeoutMs?: number;
  /** fsync the spool after each spill (default true). */
  fsync?: boolean;
  /** Replace the values of params whose keys look like secrets with "[REDACTED]" (default true). */
  redactSecretParams?: boolean;
  /** Capture git/argv/deps/env into run_started (default true). */
  captureContext?: boolean;
  /** Environment to record in the run context, secrets removed. The SDK never reads process.env itself. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  argv?: readonly string[];
  /** Spool synchronously on beforeExit/exit/SIGINT/SIGTERM (default true). */
  exitHooks?: boolean;
  /** Send what crashed processes left in the spool directory, in the background (default true). */
  recoverSpools?: boolean;
  /** For tests: a transport other than HTTP. */
  transport?: Transport;
}

/** Every SDK default, in one place: nothing deeper in the client, the pipeline or the recovery applies its own. */
export const SDK_DEFAULTS = Object.freeze({
  flushPoints: 10_000,
  flushIntervalMs: 2000,
  maxBufferedPoints: 100_000,
  backpressure: 'block' as BackpressurePolicy,
  downsampleEvery: 10,
  compression: 'gzip' as 'gzip' | 'none',
  requestTimeoutMs: 30_000,
  backoff: DEFAULT_BACKOFF,
  finishTimeoutMs: 30_000,
  fsync: true,
  redactSecretParams: true,
  captureContext: true,
  exitHooks: true,
  recoverSpools: true,
  /** A recovered spool file is given up on (left for the next start) after this many failed attempts of one batch. */
  maxAttemptsPerBatch: 8,
  /** Bytes of one HTTP batch before compression: under the gateway's 4 MiB limit with room for the envelope. */
  maxRequestBytes: LIMITS.batchBytes - 256 * 1024,
  /** The gateway the `trackstream sync` command sends to when neither --url nor TRACKSTREAM_URL says. */
  syncUrl: 'http://127.0.0.1:8080',
});

/** TrackstreamOptions after checks and defaults: what the client and its parts read. Frozen. */
export interface CompiledClientOptions {
  readonly project: string;
  readonly offline: boolean;
  /** null when offline without one. */
  readonly url: string | null;
  readonly token: string | undefined;
  readonly principal: string | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly spoolDir: string;
  readonly logger: Logger;
  /** Per run, capped at what 50 events can carry. */
  readonly flushPoints: number;
  readonly flushIntervalMs: number;
  readonly maxBufferedPoints: number;
  readonly backpressure: BackpressurePolicy;
  readonly downsampleEvery: number;
  readonly compression: 'gzip' | 'none';
  readonly requestTimeoutMs: number;
  readonly backoff: Readonly<BackoffOptions>;
  readonly finishTimeoutMs: number;
  readonly fsync: boolean;
  readonly redactSecretParams: boolean;
  readonly captureContext: boolean;
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  readonly cwd: string;
  readonly argv: readonly string[];
  readonly exitHooks: boolean;
  readonly recoverSpools: boolean;
  /** A caller's transport (tests); null: the client builds an HttpTransport from url/token/…. */
  readonly transport: Transport | null;
  readonly maxAttemptsPerBatch: number;
  readonly maxRequestBytes: number;
}

/** Raw options → checks → defaults → one frozen object. Compiled once, in the Trackstream constructor. */
export function compileClientOptions(raw: TrackstreamOptions): CompiledClientOptions {
  if (raw === null || typeof raw !== 'object') throw new InvalidArgumentError('options', 'must be an object');
  const d = SDK_DEFAULTS;
  const project = checkId('project', raw.project);
  const offline = raw.offline === true;
  if (!offline && !raw.transport) {
    if (typeof raw.url !== 'string' || !/^https?:\/\//.test(raw.url)) throw new InvalidArgumentError('url', `must be an http(s) URL, got ${String(raw.url)}`);
  }
  const flushPoints = positiveInt('flushPoints', raw.flushPoints ?? d.flushPoints);
  const flushIntervalMs = positiveInt('flushIntervalMs', raw.flushIntervalMs ?? d.flushIntervalMs);
  const maxBufferedPoints = positiveInt('maxBufferedPoints', raw.maxBufferedPoints ?? d.maxBufferedPoints);
  const backpressure = raw.backpressure ?? d.backpressure;
  if (!['block', 'downsample', 'drop'].includes(backpressure)) throw new InvalidArgumentError('backpressure', 'must be block, downsample or drop');
  const downsampleEvery = positiveInt('downsampleEvery', raw.downsampleEvery ?? d.downsampleEvery);
  if (raw.token !== undefined && (typeof raw.token !== 'string' || !/^[\x21-\x7e]+$/.test(raw.token))) {
    // Never quote it: it is a credential.
    throw new InvalidArgumentError('token', 'must be a non-empty string of visible ASCII characters (the API token)');
  }
  return Object.freeze({
    project,
    offline,
    url: raw.url ?? null,
    token: raw.token,
    principal: raw.principal,
    headers: raw.headers === undefined ? undefined : Object.freeze({ ...raw.headers }),
    spoolDir: raw.spoolDir ?? defaultSpoolDir(),
    logger: raw.logger ?? noopLogger,
    flushPoints: Math.min(flushPoints, LIMITS.pointsPerEvent * 50),
    flushIntervalMs,
    maxBufferedPoints,
    backpressure,
    downsampleEvery,
    compression: raw.compression ?? d.compression,
    requestTimeoutMs: raw.requestTimeoutMs ?? d.requestTimeoutMs,
    backoff: Object.freeze({ ...d.backoff, ...raw.retry }),
    finishTimeoutMs: raw.finishTimeoutMs ?? d.finishTimeoutMs,
    fsync: raw.fsync ?? d.fsync,
    redactSecretParams: raw.redactSecretParams ?? d.redactSecretParams,
    captureContext: raw.captureContext === undefined ? d.captureContext : raw.captureContext !== false,
    env: raw.env,
    cwd: raw.cwd ?? process.cwd(),
    argv: raw.argv ?? process.argv,
    exitHooks: raw.exitHooks === undefined ? d.exitHooks : raw.exitHooks !== false,
    recoverSpools: raw.recoverSpools === undefined ? d.recoverSpools : raw.recoverSpools !== false,
    transport: raw.transport ?? null,
    maxAttemptsPerBatch: d.maxAttemptsPerBatch,
    maxRequestBytes: d.maxRequestBytes,
  });
}

function positiveInt(argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new InvalidArgumentError(argument, `must be a positive integer, got ${String(v)}`);
  return v;
}
