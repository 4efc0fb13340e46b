import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors';

/**
 * One environment variable: its name, how to parse it, and its default.
 * A spec object maps config field names to these; `parseEnv` turns a whole spec into
 * a typed config object, reporting every bad variable at once.
 */
export interface EnvVar<T> {
  readonly variable: string;
  readonly schema: z.ZodType<T>;
  readonly defaultValue?: string;
}

export type EnvSpec = Record<string, EnvVar<unknown>>;
export type ConfigOf<S extends EnvSpec> = { [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

export function envVar<T>(variable: string, schema: z.ZodType<T>, defaultValue?: string): EnvVar<T> {
  return defaultValue === undefined ? { variable, schema } : { variable, schema, defaultValue };
}

export function parseEnv<S extends EnvSpec>(spec: S, env: Record<string, string | undefined>): ConfigOf<S> {
  const problems: ConfigProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(spec)) {
    const raw = env[v.variable] ?? v.defaultValue;
    if (raw === undefined || raw === '') {
      problems.push({ variable: v.variable, message: 'is required but not set' });
      continue;
    }
    const parsed = v.schema.safeParse(raw);
    if (parsed.success) out[field] = parsed.data;
    else problems.push({ variable: v.variable, message: `${parsed.error.issues.map((i) => i.message).join('; ')} (got ${describeValue(v.variable, raw)})` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

// A variable whose name says it holds a secret is never echoed; any other value has URL passwords removed.
const SECRET_VARIABLE = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|CREDENTIAL/i;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s]*@/gi;

/** How a bad value is quoted in a ConfigError: never a secret, never a URL's password. */
export function describeValue(variable: string, raw: string): string {
  if (SECRET_VARIABLE.test(variable)) return `a value of ${raw.length} characters`;
  return JSON.stringify(raw.replace(URL_PASSWORD, '$1:[redacted]@'));
}

// ---- field parsers shared by every service

export const port = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .refine((n) => n >= 0 && n <= 65535, 'must be a port number from 0 to 65535');

export const positiveInt = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .refine((n) => n > 0 && Number.isSafeInteger(n), 'must be a positive whole number');

/** `host:port[,host:port…]` */
export const brokerList = z
  .string()
  .transform((s) => s.split(',').map((b) => b.trim()).filter((b) => b.length > 0))
  .refine((list) => list.length > 0, 'must list at least one host:port')
  .refine((list) => list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), 'each broker must be host:port');

export const url = (protocols: readonly string[]) =>
  z.string().refine((s) => {
    try {
      return protocols.includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${protocols.join(' or ')}`);

/** A Postgres schema (or ClickHouse database) name we create and interpolate: letters, digits, _; not starting with a digit. */
export const PG_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
export const pgSchemaName = z.string().regex(PG_NAME_PATTERN, 'must be a Postgres schema name');

/** A Kafka topic name (Kafka's own rule). */
export const KAFKA_TOPIC_PATTERN = /^[A-Za-z0-9._-]{1,249}$/;
export const kafkaTopicName = z.string().regex(KAFKA_TOPIC_PATTERN, 'must be a Kafka topic name (letters, digits, . _ -)');

export const logLevel = z.enum(['debug', 'info', 'warn', 'error', 'silent']);

export const bool = z
  .string()
  .transform((s) => s.toLowerCase())
  .refine((s) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(s), 'must be true or false')
  .transform((s) => ['1', 'true', 'yes', 'on'].includes(s));
