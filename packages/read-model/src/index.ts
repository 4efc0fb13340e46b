// The read model: the one place that knows how to read the projections (Postgres and ClickHouse).
export { PostgresReader, type RunView, type ArtifactView, type ArtifactUsage, type ExperimentView, type LineageView, type NoteView, type AnnotationView, type ExperimentRecord, type RunLifecycle } from './pg-reader';
export { CollabReader, readCollabTargets, targetKey, type SavedViewView, type CollabTargetQuery, type CollabTargets } from './collab-reader';
export { ClickHouseReader, type HistoryPoint, type MetricStats, type AuditEntry } from './ch-reader';
export { historyStatsQuery, historyPointsQuery, historyPageQuery, historyBucketsQuery, metricStatsQuery, checkpointsQuery, subjectEventsQuery, runParamEventsQuery, type AuditSubject, WHOLE_SERIES, type MetricRef, type StepRange } from './ch-queries';
export { compareMetric, defaultGoal, type Goal, type MetricComparison } from './compare';
export { covers, waitForPositions, coalesced, type CheckpointSource, type WaitOptions } from './freshness';
export { jsonNumber, jsonNumberOrNull, parseClickHouseFloat, pgFloat, toNumberOrNull, type JsonNumber } from './values';
export { openClickHouseReader } from './open';
export {
  ReadModel,
  READ_MODEL_DEFAULTS,
  type ReadModelOptions,
  type StoreSet,
  type PreparedSearch,
  type RunComparison,
  type ExperimentSummary,
} from './read-model';
export { StoreUnavailableError } from './errors';
export {
  LineageReader, LINEAGE_LIMITS, LINEAGE_DIRECTIONS, LINEAGE_NODE_KINDS,
  type LineageDirection, type LineageNodeView, type LineageEdgeView, type LineagePage, type LineageRootQuery, type LineageRunSummary, type LineageWalk,
} from './lineage-reader';
