import { PG_NAME_PATTERN } from '@trackstream/config';
import { usageError } from './errors';

export type Flags = Record<string, string | true>;

/**
 * `--name value`, `--name=value` and bare `--switch` style flags. `booleans` names the flags that take no value;
 * every other allowed flag needs one. Unknown flags and positional arguments are usage errors.
 */
export function parseFlags(args: readonly string[], allowed: readonly string[], booleans: readonly string[] = []): Flags {
  const out: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw usageError(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (!allowed.includes(name) && !booleans.includes(name)) throw usageError(`unknown option --${name}`);
    if (booleans.includes(name)) {
      if (eq !== -1) throw usageError(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    const value = eq === -1 ? args[++i] : a.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw usageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** An ISO-8601 timestamp or epoch milliseconds → ms. */
export function parseTime(value: string, flag: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw usageError(`${flag}: ${JSON.stringify(value)} is neither an ISO timestamp nor epoch milliseconds`);
  return ms;
}

export const NAME_PATTERN: RegExp = PG_NAME_PATTERN;

export function storeName(value: string, flag: string): string {
  if (!NAME_PATTERN.test(value)) throw usageError(`${flag}: ${JSON.stringify(value)} is not a valid schema/database name (letters, digits, _; not starting with a digit)`);
  return value;
}
