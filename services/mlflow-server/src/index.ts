// Building blocks of the MLflow-compatible server (issue 14). The HTTP app and its composition root are not in
// this commit yet; see docs in the branch report.
export { MlflowError, HTTP_STATUS, type MlflowErrorCode } from './errors';
export { checkKey, MLFLOW_LIMITS } from './rules';
export * as proto from './proto';
