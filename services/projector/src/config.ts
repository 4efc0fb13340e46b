import { z } from 'zod';
import { ConfigError, commonEnv, kafkaTopicName, envVar, parseEnv, port, positiveInt, type ConfigOf } from '@trackstream/config';
import { DLQ_TOPIC, EVENTS_TOPIC } from '@trackstream/events';

export const PROJECTIONS = ['postgres', 'clickhouse'] as const;
export type ProjectionName = (typeof PROJECTIONS)[number];

const DEFAULT_PORTS: Record<ProjectionName, string> = { postgres: '8082', clickhouse: '8083' };

/**
 * ClickHouse writes a part per insert and merges parts in the background; a projector that keeps up makes many
 * small inserts, and their merges cost the server more than the inserts themselves (docs/performance.md: half the
 * merged rows and merge time with fewer, larger batches). So its projector lets the broker gather up to 4 MiB
 * per fetch, waiting at most 1 s (the most a light trickle of points waits before ClickHouse sees it).
 */
const DEFAULT_FETCH: Record<ProjectionName, { minBytes: string; maxWaitMs: string }> = {
  postgres: { minBytes: '1', maxWaitMs: '5000' },
  clickhouse: { minBytes: String(4 * 1024 * 1024), maxWaitMs: '1000' },
};


function specFor(projection: ProjectionName, env: Record<string, string | undefined>) {
  // The per-projection port variable wins over the generic one, so one environment can run both projectors.
  const portVariable = projection === 'postgres' ? 'TRACKSTREAM_PROJECTOR_POSTGRES_PORT' : 'TRACKSTREAM_PROJECTOR_CLICKHOUSE_PORT';
  const portVar = env[portVariable] !== undefined && env[portVariable] !== '' ? portVariable : 'TRACKSTREAM_PROJECTOR_PORT';
  return {
    ...commonEnv,
    port: envVar(portVar, port, DEFAULT_PORTS[projection]),
    topic: envVar('TRACKSTREAM_EVENTS_TOPIC', kafkaTopicName, EVENTS_TOPIC),
    dlqTopic: envVar('TRACKSTREAM_DLQ_TOPIC', kafkaTopicName, DLQ_TOPIC),
    groupId: envVar('TRACKSTREAM_PROJECTOR_GROUP_ID', z.string().min(1), `trackstream-projector-${projection}`),
    maxRecordsPerApply: envVar('TRACKSTREAM_PROJECTOR_BATCH_SIZE', positiveInt, '1000'),
    concurrency: envVar('TRACKSTREAM_PROJECTOR_CONCURRENCY', positiveInt, '2'),
    sessionTimeoutMs: envVar('TRACKSTREAM_PROJECTOR_SESSION_TIMEOUT_MS', positiveInt, '30000'),
    backoffMaxMs: envVar('TRACKSTREAM_PROJECTOR_BACKOFF_MAX_MS', positiveInt, '30000'),
    fetchMinBytes: envVar('TRACKSTREAM_PROJECTOR_FETCH_MIN_BYTES', positiveInt, DEFAULT_FETCH[projection].minBytes),
    fetchMaxWaitMs: envVar('TRACKSTREAM_PROJECTOR_FETCH_MAX_WAIT_MS', positiveInt, DEFAULT_FETCH[projection].maxWaitMs),
  };
}

export type ProjectorConfig = ConfigOf<ReturnType<typeof specFor>> & { projection: ProjectionName };

/** `--projection postgres|clickhouse` (or `--projection=…`) plus TRACKSTREAM_* variables, validated at once. */
export function loadProjectorConfig(argv: readonly string[], env: Record<string, string | undefined>): ProjectorConfig {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--projection') value = argv[i + 1];
    else if (a.startsWith('--projection=')) value = a.slice('--projection='.length);
  }
  value ??= env.TRACKSTREAM_PROJECTION;
  if (value === undefined || !(PROJECTIONS as readonly string[]).includes(value)) {
    throw new ConfigError([{ variable: '--projection', message: `must be one of ${PROJECTIONS.join(', ')} (got ${JSON.stringify(value ?? null)})` }]);
  }
  const projection = value as ProjectionName;
  return { ...parseEnv(specFor(projection, env), env), projection };
}
