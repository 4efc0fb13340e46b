import { z } from 'zod';
import { DEFAULT_DEADLINE_MS } from './options';
import { authEnv, commonEnv, kafkaTopicName, envVar, parseEnv, port, positiveInt, type ConfigOf } from '@trackstream/config';
import { EVENTS_TOPIC, EVENTS_TOPIC_PARTITIONS } from '@trackstream/events';


export const gatewayEnv = {
  kafkaBrokers: commonEnv.kafkaBrokers,
  logLevel: commonEnv.logLevel,
  port: envVar('TRACKSTREAM_GATEWAY_PORT', port, '8080'),
  host: envVar('TRACKSTREAM_GATEWAY_HOST', z.string().min(1), '0.0.0.0'),
  topic: envVar('TRACKSTREAM_EVENTS_TOPIC', kafkaTopicName, EVENTS_TOPIC),
  topicPartitions: envVar('TRACKSTREAM_EVENTS_TOPIC_PARTITIONS', positiveInt, String(EVENTS_TOPIC_PARTITIONS)),
  maxInFlightBytes: envVar('TRACKSTREAM_GATEWAY_MAX_INFLIGHT_BYTES', positiveInt, String(64 * 1024 * 1024)),
  maxInFlightRequests: envVar('TRACKSTREAM_GATEWAY_MAX_INFLIGHT_REQUESTS', positiveInt, '256'),
  deadlineMs: envVar('TRACKSTREAM_GATEWAY_DEADLINE_MS', positiveInt, String(DEFAULT_DEADLINE_MS)),
  /** Admission by expected work (measured rate × half the deadline) under the static limits above; off = static limits only. */
  adaptiveAdmission: envVar('TRACKSTREAM_GATEWAY_ADAPTIVE_ADMISSION', z.enum(['on', 'off'], { message: 'must be on or off' }), 'on'),
  breakerResetMs: envVar('TRACKSTREAM_GATEWAY_BREAKER_RESET_MS', positiveInt, '2000'),
  shutdownGraceMs: envVar('TRACKSTREAM_GATEWAY_SHUTDOWN_GRACE_MS', positiveInt, '10000'),
  // Access control (issue 9): tokens are read from Postgres only when auth is on.
  ...authEnv,
  pgUrl: commonEnv.pgUrl,
  /** The Postgres projection, read only to check that notes, stars and views name runs/experiments/notes that exist. */
  pgSchema: commonEnv.pgSchema,
  /** Events per second per token (a token's own rateLimitPerSec overrides it). */
  rateLimitPerSec: envVar('TRACKSTREAM_GATEWAY_RATE_LIMIT', positiveInt, '20000'),
  /** Bucket size per token; `auto` = twice the token's rate. */
  rateBurst: envVar(
    'TRACKSTREAM_GATEWAY_RATE_BURST',
    z.union([z.literal('auto').transform(() => null), positiveInt], { message: 'must be a positive whole number or auto' }),
    'auto',
  ),
};

export type GatewayConfig = ConfigOf<typeof gatewayEnv>;

export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  return parseEnv(gatewayEnv, env);
}
