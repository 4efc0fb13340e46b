// The escaping helpers: the one place where values become ClickHouse SQL text.
export * from './sql';
export { DEFAULT_DATABASE, TABLES, ddlStatements, summarySelect } from './schema';
export { analystExamples, checkpointsQuery, runMetricSummariesQuery } from './queries';
export {
  toRows,
  metricPointRows,
  float64Bits,
  checkpointRow,
  type MetricPointGroup,
  type MetricPoint,
  type MetricPointRow,
  type EventRow,
  type CheckpointRow,
  type ProjectedRows,
  type RejectedRecord,
} from './rows';
export { encodeMetricPoints, metricPointStructure, METRIC_POINT_INSERT_COLUMNS } from './row-binary';
export { classifyFailure, type FailureKind } from './errors';
export { ClickHouseSink, type ClickHouseSinkOptions } from './sink';
export { createClickHouseClient, splitDatabase, DEFAULT_REQUEST_TIMEOUT_MS, type ClickHouseClientOptions } from './client';
export { readProjection, type ClickHouseProjectionSnapshot } from './snapshot';
