/**
 * What counts as a secret. Names are matched on their words (split at _ - . and case changes) so that
 * `OPENAI_API_KEY`, `dbPassword`, `GITHUB_TOKEN` and `aws.secretAccessKey` are caught; being over-eager costs
 * a missing env var in the run context, being lax leaks a credential into a store analysts query directly.
 */
const SECRET_WORDS = new Set([
  'key', 'keys', 'apikey', 'token', 'tokens', 'secret', 'secrets', 'password', 'passwd', 'pwd', 'pass', 'passphrase',
  'credential', 'credentials', 'creds', 'auth', 'authorization', 'private', 'privkey', 'session', 'cookie', 'signature',
  'salt', 'bearer', 'cert', 'certificate', 'jwt', 'otp', 'pin', 'dsn', 'sas',
]);
// Substrings that are secrets even glued to other words (PGPASSWORD, MYSECRET, HF_HUB_TOKENS, NPM_AUTHTOKEN, PGPASS).
const SECRET_SUBSTRINGS = /(password|passwd|secret|token|credential|apikey|api_key|privatekey|passphrase|pass(?=$|[_.-]))/i;

export function isSecretName(name: string): boolean {
  if (SECRET_SUBSTRINGS.test(name)) return true;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((w) => SECRET_WORDS.has(w));
}

// Values that carry credentials whatever their name: URL userinfo, bearer headers, well-known token shapes.
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(:[^/\s@]*)?@/gi;
const TOKEN_SHAPES = [
  /\b(gh[pousr]_[A-Za-z0-9]{20,})\b/g,
  /\b(github_pat_[A-Za-z0-9_]{20,})\b/g,
  /\b(sk-[A-Za-z0-9_-]{16,})\b/g,
  /\b(xox[abposr]-[A-Za-z0-9-]{10,})\b/g,
  /\b((?:AKIA|ASIA)[A-Z0-9]{16})\b/g,
  /\b(hf_[A-Za-z0-9]{20,})\b/g,
  // Trackstream API tokens ('tsk_' + 43 base64url characters).
  /\b(tsk_[A-Za-z0-9_-]{20,})/g,
  /\b(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})\b/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

export const REDACTED = '[REDACTED]';

export function scrubValue(value: string): string {
  let out = value.replace(URL_USERINFO, `$1${REDACTED}@`);
  for (const re of TOKEN_SHAPES) {
    out = out.replace(re, (m, g1: string) => (m.toLowerCase().startsWith('bearer') ? `${g1}${REDACTED}` : REDACTED));
  }
  return out;
}

/** Environment minus every variable whose name looks like a secret; remaining values are scrubbed too. */
export function filterEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const v = env[name];
    if (v === undefined || isSecretName(name)) continue;
    out[name] = scrubValue(v);
  }
  return out;
}

/**
 * argv with secret-looking flags' values redacted: `--api-key=x`, `--password x`, `-p`-style short flags are
 * left alone (too ambiguous), and every value is scrubbed for embedded credentials.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let redactNext = false;
  for (const arg of argv) {
    if (redactNext) {
      out.push(REDACTED);
      redactNext = false;
      continue;
    }
    const m = /^(--?[^=\s]+)(=.*)?$/.exec(arg);
    if (m && isSecretName(m[1]!.replace(/^-+/, ''))) {
      if (m[2] !== undefined) out.push(`${m[1]}=${REDACTED}`);
      else {
        out.push(arg);
        redactNext = true;
      }
      continue;
    }
    out.push(scrubValue(arg));
  }
  return out;
}

/** Params whose key looks like a secret keep their key (so the run shows one was set) but lose the value. */
export function redactParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = isSecretName(k) ? REDACTED : scrubValue(v);
  return out;
}
