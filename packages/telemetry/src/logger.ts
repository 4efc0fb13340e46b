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

// Field names whose values must never reach a log line (tokens, passwords, auth headers), at any depth.
const SECRET_FIELD = /pass(word|wd)?|secret|token|authorization|cookie|api[_-]?key|credential|private[_-]?key/i;
// Names that contain "token" but are public by design: an API token's short id is what logs and audits use.
const PUBLIC_FIELD = /^token[_-]?id$/i;

export const REDACTED = '[redacted]';

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stderr so stdout stays free for a program's output. */
  write?: (line: string) => void;
  base?: LogFields;
  now?: () => Date;
}

/**
 * One JSON object per line: {time, level, msg, ...fields}. Secret-looking fields are redacted at any depth, and
 * credentials inside any string (URL passwords, bearer tokens, Trackstream API tokens) are scrubbed.
 */
export function createJsonLogger(opts: JsonLoggerOptions = {}): Logger {
  const threshold = RANK[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = opts.now ?? (() => new Date());

  const make = (base: LogFields): Logger => {
    const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
      if (RANK[level] < threshold) return;
      write(JSON.stringify({ time: now().toISOString(), level, msg: scrubSecrets(msg), ...base, ...(fields ?? {}) }, jsonReplacer));
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

/** True for a field name whose value a log line must not carry. */
export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name) && !PUBLIC_FIELD.test(name);
}

// scheme://user:password@host → scheme://user:[redacted]@host (the user name stays: it helps and is not secret).
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s]*@/gi;
const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
// Trackstream API tokens ('tsk_' + 43 base64url characters), wherever they appear.
const API_TOKEN = /\btsk_[A-Za-z0-9_-]{16,}/g;

/** A string with the password of every URL in it, bearer credentials and API tokens replaced by [redacted]. */
export function scrubSecrets(text: string): string {
  if (!text.includes('://') && !/bearer|tsk_/i.test(text)) return text;
  return text.replace(URL_PASSWORD, `$1:${REDACTED}@`).replace(BEARER, `$1${REDACTED}`).replace(API_TOKEN, REDACTED);
}

/** A URL for logs and messages: its password (if any) replaced by [redacted]. */
export function redactUrl(url: string): string {
  return scrubSecrets(url);
}

function jsonReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSecretField(key) && value !== undefined && value !== null) return REDACTED;
  if (value instanceof Error) {
    const out: LogFields = { name: value.name, message: value.message };
    for (const [k, v] of Object.entries(value as unknown as LogFields)) out[k] = v;
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return scrubSecrets(value);
  return value;
}
