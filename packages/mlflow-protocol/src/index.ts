// The MLflow wire rules (error codes and HTTP statuses, proto3-JSON field readers, the key rule and batch limits) that
// the MLflow-compatible server (issue 14, services/mlflow-server, not built yet) will serve through.
export { MlflowError, HTTP_STATUS, type MlflowErrorCode } from './errors';
export { checkKey, MLFLOW_LIMITS } from './rules';
export * as proto from './proto';
