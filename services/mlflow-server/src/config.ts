import { z } from 'zod';
import { artifactsFromEnv, authEnv, commonEnv, envVar, kafkaTopicName, parseEnv, port, positiveInt, type ConfigOf } from '@trackstream/config';
import { EVENTS_TOPIC, LIMITS } from '@trackstream/events';

const project = z.string().regex(LIMITS.idPattern, 'must be a project name (letters, digits, _ . : -, starting with a letter or digit)');

export const mlflowEnv = {
  kafkaBrokers: commonEnv.kafkaBrokers,
  pgUrl: commonEnv.pgUrl,
  clickhouseUrl: commonEnv.clickhouseUrl,
  logLevel: commonEnv.logLevel,
  port: envVar('TRACKSTREAM_MLFLOW_PORT', port, '5000'),
  host: envVar('TRACKSTREAM_MLFLOW_HOST', z.string().min(1), '0.0.0.0'),
  // The tables the projectors write and the topic they read: the same variables as theirs.
  pgSchema: commonEnv.pgSchema,
  eventsTopic: envVar('TRACKSTREAM_EVENTS_TOPIC', kafkaTopicName, EVENTS_TOPIC),
  topicPartitions: envVar('TRACKSTREAM_EVENTS_TOPIC_PARTITIONS', positiveInt, '12'),
  /** The project of every read and write when auth is off. */
  project: envVar('TRACKSTREAM_MLFLOW_PROJECT', project, 'default'),
  /** How long a write waits to be visible to reads before it answers 503 + Retry-After. */
  readYourWritesWaitMs: envVar('TRACKSTREAM_MLFLOW_RYW_WAIT_MS', positiveInt, '10000'),
  /** How often a waiting write polls the projections' checkpoints (a knob for bench/mlflow). */
  visibilityPollMs: envVar('TRACKSTREAM_MLFLOW_VISIBILITY_POLL_MS', positiveInt, '20'),
  ...authEnv,
};

/** `artifacts`: the artifact store's variables (TRACKSTREAM_ARTIFACTS_URL, S3 endpoint and credentials), read by the same rule as services/artifact-store. */
export type MlflowConfig = ConfigOf<typeof mlflowEnv> & { artifacts: ReturnType<typeof artifactsFromEnv> };

export function loadMlflowConfig(env: Record<string, string | undefined>): MlflowConfig {
  return Object.freeze({ ...parseEnv(mlflowEnv, env), artifacts: artifactsFromEnv(env) });
}
