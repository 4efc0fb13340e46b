/**
 * The logger every library takes as an option. Structured fields, no string formatting,
 * and no console.log in libraries: the composition root decides where lines go.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line it writes. */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

// Field names whose values must never reach a log line (tokens, passwords, auth headers).
const SECRET_FIELD = /pass(word)?|secret|token|authorization|api[_-]?key|credential/i;

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stderr so stdout stays free for a program's output. */
  write?: (line: string) => void;
  base?: LogFields;
  now?: () => Date;
}

/** One JSON object per line: {time, level, msg, ...fields}. Secret-looking fields are redacted. */
export function createJsonLogger(opts: JsonLoggerOptions = {}): Logger {
  const threshold = RANK[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = opts.now ?? (() => new Date());

  const make = (base: LogFields): Logger => {
    const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
      if (RANK[level] < threshold) return;
      write(JSON.stringify({ time: now().toISOString(), level, msg, ...redact(base), ...redact(fields ?? {}) }, jsonReplacer));
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(opts.base ?? {});
}

export const noopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => noopLogger,
};

function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_FIELD.test(k) ? '[redacted]' : v;
  return out;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value as unknown as LogFields) };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
