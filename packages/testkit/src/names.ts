import { randomBytes } from 'node:crypto';

/**
 * A name no other test uses: lower case letters, digits and underscores, so the same name is
 * valid as a Kafka topic, a Postgres schema and a ClickHouse database.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
  return `${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
