export { EVENTS_TOPIC, EVENTS_TOPIC_PARTITIONS, DLQ_TOPIC, LIMITS } from './limits';
export {
  EVENT_TYPES, type EventType, type TrackstreamEvent, type Envelope, type GatewayFields, type EventPayloads,
  type ExperimentCreatedPayload, type RunStartedPayload, type RunSource, type ParamsLoggedPayload, type MetricsLoggedPayload,
  type MetricPoint, type TagsSetPayload, type TagsDeletedPayload, type ArtifactLoggedPayload, type LineageRecordedPayload,
  type LineageRef, type LineageKind, type RunCompletedPayload, type RunStatus,
} from './generated/types';
export type { EventOfType, StoredEvent } from './stored-event';
export {
  parseEvent, parseEventBatch, parseEventBatchText, EXPERIMENT_LEVEL_TYPES, RUN_OR_EXPERIMENT_TYPES, COLLABORATION_TYPES, hasUnstorableText,
  type ValidationProblem, type ParseBatchResult, type ParseBatchFailure, type BatchFailure, type ParseEventResult,
} from './validation';
export { findDuplicateKeys, type DuplicateKey } from './json-duplicates';
export { eventToJson } from './json';
export { encodeEvent, decodeEvent, createEventCodec, type EventCodec } from './codec';
export { eventCatalogue, loadCatalogue, schemaFingerprint, type Catalogue, type SchemaVersion } from './catalogue';
export type { CatalogueSource, CatalogueVersionSource, AvroSchema } from './avro-schema';
export { EventDecodeError, EventEncodeError, TokenDecodeError } from './errors';
export { eventKey } from './key';
export { encodePositionsToken, decodePositionsToken, type LogPositions } from './tokens';
export { exampleEvents } from './examples';
export { describeEvent, CONFLICT_PREFIX, type ParamHistory } from './describe';
