/** Where the test run's servers are. The global setup fills these variables in for every worker. */
export interface StackEndpoints {
  kafkaBrokers: string[];
  pgUrl: string;
  clickhouseUrl: string;
}

/** How the servers were found: given by the caller, started in Docker, or the local stack scripts. */
export type StackSource = 'env' | 'testcontainers' | 'local';

export const ENDPOINT_VARS = ['TRACKSTREAM_KAFKA_BROKERS', 'TRACKSTREAM_PG_URL', 'TRACKSTREAM_CLICKHOUSE_URL'] as const;
export const SOURCE_VAR = 'TRACKSTREAM_TEST_STACK';

/**
 * Decides where the servers come from: all three endpoint variables set → use them;
 * some set → an error (a half-given stack is a mistake, not a hint); else Docker if it answers; else the local stack.
 */
export function chooseStackSource(env: Record<string, string | undefined>, dockerAnswers: boolean): StackSource {
  const given = ENDPOINT_VARS.filter((v) => env[v]);
  if (given.length === ENDPOINT_VARS.length) return 'env';
  if (given.length > 0) {
    const missing = ENDPOINT_VARS.filter((v) => !env[v]);
    throw new Error(`test stack: ${given.join(', ')} set but ${missing.join(', ')} not; set all three or none`);
  }
  return dockerAnswers ? 'testcontainers' : 'local';
}

export function endpointsFromEnv(env: Record<string, string | undefined> = process.env): StackEndpoints {
  const missing = ENDPOINT_VARS.filter((v) => !env[v]);
  if (missing.length > 0) {
    throw new Error(`test stack not configured (${missing.join(', ')} unset): run tests through jest.config.js, whose global setup starts the stack`);
  }
  return {
    kafkaBrokers: env.TRACKSTREAM_KAFKA_BROKERS!.split(',').map((s) => s.trim()),
    pgUrl: env.TRACKSTREAM_PG_URL!,
    clickhouseUrl: env.TRACKSTREAM_CLICKHOUSE_URL!,
  };
}

/** Parses `stack.sh env` output (KEY=value lines). */
export function parseEnvLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}
