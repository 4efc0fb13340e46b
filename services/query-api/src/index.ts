export { createQueryApi, TOKEN_HEADER, STALE_HEADER, type QueryApi, type QueryApiOptions } from './app';
export { loadQueryConfig, queryEnv, type QueryConfig } from './config';
export { QueryError, type QueryErrorCode, type ErrorBody } from './errors';
export { openApiDocument } from './openapi';
export { defaultGoal } from '@trackstream/read-model';
export { authorizeRead, visibleProjects, type QueryAuth, type ReadScope } from './auth';
