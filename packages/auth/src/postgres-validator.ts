import { Pool } from 'pg';
import { PostgresTokenStore } from './postgres-store';
import { TokenValidator } from './validator';
import type { Logger } from '@trackstream/telemetry';

export interface TokenAuthWiring {
  validator: TokenValidator;
  stop(): Promise<void>;
}

/**
 * The token cache of a service with auth on: a small pool on the tokens' own schema, the table created if missing,
 * a first load, then a background refresh every `refreshMs`. Shared by the gateway's and the query API's
 * composition roots, the only callers.
 */
export async function startPostgresTokenValidator(opts: { pgUrl: string; schema: string; refreshMs: number; maxStaleMs: number; logger: Logger }): Promise<TokenAuthWiring> {
  const pool = new Pool({ connectionString: opts.pgUrl, max: 2, connectionTimeoutMillis: 5_000 });
  pool.on('error', (err) => opts.logger.warn('idle token-store connection failed', { err: err.message }));
  const store = new PostgresTokenStore(pool, { schema: opts.schema });
  const validator = new TokenValidator(store, { refreshMs: opts.refreshMs, maxStaleMs: opts.maxStaleMs, logger: opts.logger.child({ component: 'token-validator' }) });
  try {
    await store.migrate();
    await validator.start();
  } catch (err) {
    validator.stop();
    await pool.end().catch(() => undefined);
    throw err;
  }
  return {
    validator,
    async stop() {
      validator.stop();
      await pool.end();
    },
  };
}
