// The SDK speaks exactly the shared event contract: types, limits and the JSON form come from @trackstream/events.
export { LIMITS, eventToJson, parseEvent, type TrackstreamEvent, type MetricPoint, type LineageRef, type ValidationProblem } from '@trackstream/events';
