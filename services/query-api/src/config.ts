import { z } from 'zod';
import { authEnv, commonEnv, kafkaTopicName, envVar, parseEnv, port, positiveInt, type ConfigOf } from '@trackstream/config';
import { EVENTS_TOPIC } from '@trackstream/events';


export const queryEnv = {
  pgUrl: commonEnv.pgUrl,
  clickhouseUrl: commonEnv.clickhouseUrl,
  logLevel: commonEnv.logLevel,
  port: envVar('TRACKSTREAM_QUERY_PORT', port, '8081'),
  host: envVar('TRACKSTREAM_QUERY_HOST', z.string().min(1), '0.0.0.0'),
  // Same variable as the projector: the query API reads the tables the Postgres projector writes.
  pgSchema: commonEnv.pgSchema,
  // Tokens name positions in this topic; a token for another topic cannot be waited for.
  eventsTopic: envVar('TRACKSTREAM_EVENTS_TOPIC', kafkaTopicName, EVENTS_TOPIC),
  readYourWritesWaitMs: envVar('TRACKSTREAM_QUERY_RYW_WAIT_MS', positiveInt, '5000'),
  // Access control (issue 9): tokens are read from their own Postgres schema only when auth is on.
  ...authEnv,
};

export type QueryConfig = ConfigOf<typeof queryEnv>;

export function loadQueryConfig(env: Record<string, string | undefined>): QueryConfig {
  return parseEnv(queryEnv, env);
}
