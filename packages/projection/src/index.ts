export { ProjectionError, type DecodedRecord, type ProjectionBatch, type ProjectionSink } from './ports';
