export { ConfigError, type ConfigProblem } from './errors';
export {
  envVar,
  parseEnv,
  describeValue,
  port,
  positiveInt,
  brokerList,
  url,
  logLevel,
  bool,
  pgSchemaName,
  kafkaTopicName,
  PG_NAME_PATTERN,
  KAFKA_TOPIC_PATTERN,
  type EnvVar,
  type EnvSpec,
  type ConfigOf,
} from './env';
export { commonEnv, authEnv, DEFAULT_PG_SCHEMA, DEFAULT_AUTH_PG_SCHEMA } from './stack';
