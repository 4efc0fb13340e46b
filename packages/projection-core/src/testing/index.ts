// Test support for every sink's tests: event builders and the ProjectionSink contract suite (jest globals are used
// only when the suite is described). Never exported from the production index.
export { TestEvents, recordsOf, batchOf } from './events';
export { describeProjectionSinkContract, type SinkContractSubject } from './sink-contract';
