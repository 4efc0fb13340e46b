import { z } from 'zod';
import { authEnv, commonEnv, envVar, kafkaTopicName, parseEnv, port, positiveInt, type ConfigOf } from '@trackstream/config';
import { EVENTS_TOPIC } from '@trackstream/events';

const optional = z.string();

export const artifactStoreEnv = {
  kafkaBrokers: commonEnv.kafkaBrokers,
  pgUrl: commonEnv.pgUrl,
  clickhouseUrl: commonEnv.clickhouseUrl,
  pgSchema: commonEnv.pgSchema,
  logLevel: commonEnv.logLevel,
  port: envVar('TRACKSTREAM_ARTIFACT_PORT', port, '8084'),
  host: envVar('TRACKSTREAM_ARTIFACT_HOST', z.string().min(1), '0.0.0.0'),
  eventsTopic: envVar('TRACKSTREAM_EVENTS_TOPIC', kafkaTopicName, EVENTS_TOPIC),
  /** `file:///…`, a directory, or `s3://bucket/prefix`; empty: `.stack/artifacts` (packages/artifacts compiles it). */
  artifactsUrl: envVar('TRACKSTREAM_ARTIFACTS_URL', optional, ''),
  s3Endpoint: envVar('TRACKSTREAM_S3_ENDPOINT', optional, ''),
  s3Region: envVar('TRACKSTREAM_S3_REGION', optional, 'us-east-1'),
  awsAccessKeyId: envVar('AWS_ACCESS_KEY_ID', optional, ''),
  awsSecretAccessKey: envVar('AWS_SECRET_ACCESS_KEY', optional, ''),
  visibilityWaitMs: envVar('TRACKSTREAM_ARTIFACT_VISIBILITY_WAIT_MS', positiveInt, '10000'),
  ...authEnv,
};

export type ArtifactStoreConfig = ConfigOf<typeof artifactStoreEnv>;

export function loadArtifactStoreConfig(env: Record<string, string | undefined>): ArtifactStoreConfig {
  return parseEnv(artifactStoreEnv, env);
}
