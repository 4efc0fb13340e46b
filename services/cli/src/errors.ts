import { TrackstreamError } from '@trackstream/errors';
/** A failure the command reports as one clear line; `exitCode` 2 = usage, 1 = anything else. */
export class CliError extends TrackstreamError {
  readonly code: string;
  readonly retriable: boolean;
  readonly exitCode: number;

  constructor(code: string, message: string, opts: { retriable?: boolean; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CliError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.exitCode = opts.exitCode ?? 1;
  }
}

export function usageError(message: string): CliError {
  return new CliError('USAGE', message, { exitCode: 2 });
}

export function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(messageOf).join('; ');
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
