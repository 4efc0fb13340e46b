export { ProjectionRuntime, type ProjectionRuntimeOptions, type RuntimeHealth } from './runtime';
export { compileRuntimeOptions, RUNTIME_DEFAULTS, type CompiledRuntimeOptions } from './options';
export { ProjectorMetrics } from './metrics';
export { createProjectorHttpServer, type ProjectorHttpOptions } from './http';
export { sendToDlq } from './dlq';
// The port, its error and the DLQ header names live in @trackstream/projection-core (no Kafka client there); they are
// re-exported so the projector's composition root needs one import.
export { ProjectionError, DLQ_HEADERS, type DecodedRecord, type ProjectionBatch, type ProjectionSink, type DeadLetter } from '@trackstream/projection-core';
