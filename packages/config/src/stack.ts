import { z } from 'zod';
import { brokerList, envVar, logLevel, pgSchemaName, positiveInt, url } from './env';

/** Schema of the projection tables when TRACKSTREAM_PG_SCHEMA does not say (projectors, read model, CLI). */
export const DEFAULT_PG_SCHEMA = 'public';
/** Schema of the API tokens when TRACKSTREAM_AUTH_PG_SCHEMA does not say: never a projection schema (a replay --switch renames those). */
export const DEFAULT_AUTH_PG_SCHEMA = 'trackstream_auth';

/** The variables every Trackstream process shares: where the three stores are, and how loud to log. */
export const commonEnv = {
  kafkaBrokers: envVar('TRACKSTREAM_KAFKA_BROKERS', brokerList, '127.0.0.1:9092'),
  pgUrl: envVar('TRACKSTREAM_PG_URL', url(['postgres:', 'postgresql:']), 'postgres://trackstream:trackstream@127.0.0.1:5432/trackstream'),
  clickhouseUrl: envVar('TRACKSTREAM_CLICKHOUSE_URL', url(['http:', 'https:']), 'http://127.0.0.1:8123/trackstream'),
  logLevel: envVar('TRACKSTREAM_LOG_LEVEL', logLevel, 'info'),
  /** The projection tables' schema: the projector writes it, the query API and the CLI read it, the gateway checks collaboration targets in it. */
  pgSchema: envVar('TRACKSTREAM_PG_SCHEMA', pgSchemaName, DEFAULT_PG_SCHEMA),
};

/**
 * Access control (issue 9), the same in every service that enforces it. `off` is the local single-user setup:
 * no token needed. Tokens live in their own Postgres schema, never in a projection schema (a replay --switch
 * renames those).
 */
export const authEnv = {
  authMode: envVar('TRACKSTREAM_AUTH', z.enum(['on', 'off'], { message: 'must be on or off' }), 'on'),
  authPgSchema: envVar('TRACKSTREAM_AUTH_PG_SCHEMA', pgSchemaName, DEFAULT_AUTH_PG_SCHEMA),
  /** How often each service reloads changed tokens: the revocation bound is about this plus one query. */
  authRefreshMs: envVar('TRACKSTREAM_AUTH_REFRESH_MS', positiveInt, '2000'),
  /** Refreshes failing for longer than this: every request is refused (fail closed) until one succeeds. */
  authMaxStaleMs: envVar('TRACKSTREAM_AUTH_MAX_STALE_MS', positiveInt, '60000'),
};

/**
 * Where artifacts live (packages/artifacts compiles these into a backend), the same in every process that opens the
 * artifact store (services/artifact-store, the CLI's `artifacts gc`, the MLflow server's proxy). Every variable is
 * optional (empty = unset): TRACKSTREAM_ARTIFACTS_URL (`file:///…`, a directory or `s3://bucket/prefix`; unset:
 * `.stack/artifacts`), TRACKSTREAM_S3_ENDPOINT, TRACKSTREAM_S3_REGION (default us-east-1), AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY. packages/artifacts validates the URL.
 */
export function artifactsFromEnv(env: Record<string, string | undefined>): Readonly<{ artifactsUrl: string; s3Endpoint: string; s3Region: string; awsAccessKeyId: string; awsSecretAccessKey: string }> {
  return Object.freeze({
    artifactsUrl: env.TRACKSTREAM_ARTIFACTS_URL ?? '',
    s3Endpoint: env.TRACKSTREAM_S3_ENDPOINT ?? '',
    s3Region: env.TRACKSTREAM_S3_REGION || 'us-east-1',
    awsAccessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
    awsSecretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
  });
}
