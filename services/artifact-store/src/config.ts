import { z } from 'zod';
import { artifactsFromEnv, authEnv, commonEnv, envVar, kafkaTopicName, parseEnv, port, positiveInt, type ConfigOf } from '@trackstream/config';
import { EVENTS_TOPIC } from '@trackstream/events';

export const artifactStoreEnv = {
  kafkaBrokers: commonEnv.kafkaBrokers,
  pgUrl: commonEnv.pgUrl,
  clickhouseUrl: commonEnv.clickhouseUrl,
  pgSchema: commonEnv.pgSchema,
  logLevel: commonEnv.logLevel,
  port: envVar('TRACKSTREAM_ARTIFACT_PORT', port, '8084'),
  host: envVar('TRACKSTREAM_ARTIFACT_HOST', z.string().min(1), '0.0.0.0'),
  eventsTopic: envVar('TRACKSTREAM_EVENTS_TOPIC', kafkaTopicName, EVENTS_TOPIC),
  visibilityWaitMs: envVar('TRACKSTREAM_ARTIFACT_VISIBILITY_WAIT_MS', positiveInt, '10000'),
  ...authEnv,
};

export type ArtifactStoreConfig = ConfigOf<typeof artifactStoreEnv> & { artifacts: ReturnType<typeof artifactsFromEnv> };

export function loadArtifactStoreConfig(env: Record<string, string | undefined>): ArtifactStoreConfig {
  return Object.freeze({ ...parseEnv(artifactStoreEnv, env), artifacts: artifactsFromEnv(env) });
}
