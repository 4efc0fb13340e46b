export { endpointsFromEnv, chooseStackSource, parseEnvLines, type StackEndpoints, type StackSource } from './endpoints';
export { localStack, STACK_SCRIPT, type ServerName } from './local-stack';
export { uniqueName } from './names';
export { pollUntil } from './poll';
export {
  createTestTopic,
  deleteTestTopics,
  createTestPgSchema,
  createTestClickHouseDatabase,
  testKafka,
  withSearchPath,
  withDatabase,
  type TestTopic,
  type TestPgSchema,
  type TestClickHouseDatabase,
} from './resources';
export { startDedicatedServers, freePort, type DedicatedServers } from './dedicated';
