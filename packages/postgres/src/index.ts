export { PostgresSink, type PostgresSinkOptions } from './sink';
export { readProjection, type ProjectionSnapshot, type ProjectedTable } from './snapshot';
export { INDEXED_VALUE_PREFIX, PG_TABLES, PROJECTED_TABLES, quoteSchema } from './schema';
export { inTransaction } from './transaction';
export { NODE_KINDS, EDGE_RELATIONS, nodeId, graphChanges, type NodeKind, type EdgeRelation, type GraphNodeRow, type GraphEdgeRow, type GraphChange } from './lineage-graph';
export {
  collabChanges, applyNoteOps, applyAnnotationOps, COLLAB_TYPES,
  type CollabChange, type CollabState, type NoteRow, type NoteOp, type AnnotationRow, type StarRow, type PinRow, type ViewRow,
} from './collab';
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
