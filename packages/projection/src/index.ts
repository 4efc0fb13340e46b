export { ProjectionError, type DecodedRecord, type ProjectionBatch, type ProjectionSink } from './ports';
export { ProjectionRuntime, type ProjectionRuntimeOptions, type RuntimeHealth } from './runtime';
export { ProjectorMetrics } from './metrics';
export { createProjectorHttpServer, type ProjectorHttpOptions } from './http';
export { DLQ_HEADERS, type DeadLetter } from './dlq';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
// Test support, shared with every sink's tests: event builders and the sink contract suite (uses jest globals
// only when called).
export { TestEvents, recordsOf, batchOf } from './testing/events';
export { describeProjectionSinkContract, type SinkContractSubject } from './testing/sink-contract';
