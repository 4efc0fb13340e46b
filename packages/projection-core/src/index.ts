export { ProjectionError, type DecodedRecord, type ProjectionBatch, type ProjectionSink } from './ports';
export { DLQ_HEADERS, DLQ_REASON_MAX_CHARS, deadLetterHeaders, type DeadLetter, type RecordHeaders } from './dlq';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { applyIsolatingPoison, classifyApplyFailure, codeOf, messageOf, type ApplyFailure, type PoisonSearchHooks } from './poison';
