import type { Pool, PoolClient } from 'pg';

/**
 * The one transaction helper: BEGIN, `fn`, COMMIT; on any error ROLLBACK and rethrow. A client whose ROLLBACK
 * fails is broken (its connection is in an unknown state) and is destroyed instead of going back to the pool.
 * Errors of connect() itself propagate unchanged.
 */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken = false;
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    try {
      await c.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw err;
  } finally {
    c.release(broken);
  }
}
