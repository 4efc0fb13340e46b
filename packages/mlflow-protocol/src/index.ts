// The MLflow wire rules (error codes and HTTP statuses, proto3-JSON field readers, the key rule and batch limits,
// ids, page tokens, the JSON shapes of runs and experiments, the experiment filter) that services/mlflow-server serves through.
export { MlflowError, HTTP_STATUS, invalid, notFound, type MlflowErrorCode } from './errors';
export { checkKey, MLFLOW_LIMITS } from './rules';
export * as proto from './proto';
export {
  DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, defaultExperimentId, fromWireExperimentId, toWireExperimentId,
  newExperimentId, newRunId, derivedEventId, randomRunName,
} from './ids';
export { encodeOffsetToken, decodeOffsetToken, pageOf, queryDigest } from './page-token';
export {
  SYSTEM_TAGS, runFieldsFromTags, tagsWithSystemTags, mlflowRun, mlflowRunInfo, mlflowExperiment, mlflowMetric, runArtifactUri,
  experimentArtifactLocation, type RunFacts, type RunFields, type ExperimentFacts, type LifecycleStage, type JsonNumber,
} from './shapes';
export { parseExperimentFilter, matchesExperiment, parseExperimentOrder, compareExperiments, likePattern, type ExperimentCondition, type ExperimentOrder } from './experiment-filter';
