export { ConfigError, type ConfigProblem } from './errors';
export { envVar, parseEnv, describeValue, port, positiveInt, brokerList, url, logLevel, bool, type EnvVar, type EnvSpec, type ConfigOf } from './env';
export { commonEnv, authEnv } from './stack';
