export { createMlflowServer, toMlflowError, type MlflowServer } from './app';
export { compileOptions, type MlflowServerOptions, type CompiledOptions } from './options';
export { authorize, type MlflowAuth, type Caller, type Access } from './auth';
export { ROUTES, API_PREFIXES, resolveRoute, type Route, type ExtraRoute, type Handler } from './routes';
export { loadMlflowConfig, mlflowEnv, type MlflowConfig } from './config';
export { startMlflowServer, type RunningMlflowServer, type StartOptions } from './start';
