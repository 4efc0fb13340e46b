export { PostgresSink, type PostgresSinkOptions } from './sink';
export { readProjection, type ProjectionSnapshot, type ProjectedTable } from './snapshot';
export { INDEXED_VALUE_PREFIX, PG_TABLES, PROJECTED_TABLES, quoteSchema } from './schema';
export { inTransaction } from './transaction';
export {
  apply,
  fold,
  project,
  emptyState,
  mergeMetric,
  mergeRun,
  mergeStatus,
  isLater,
  compareValues,
  TERMINAL_STATUSES,
  type Change,
  type ProjectionState,
  type ExperimentRow,
  type ExperimentUpdate,
  type LifecycleStage,
  type RunRow,
  type ParamRow,
  type MetricRow,
  type ArtifactRow,
  type LineageRow,
} from './model';
