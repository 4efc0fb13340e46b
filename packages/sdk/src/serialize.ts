import { eventToJson, type TrackstreamEvent } from './wire';

/**
 * Events are serialized once, when they are sealed, and travel as JSON text from then on (memory, spool,
 * request). Metric events, nearly all the volume, take a direct path from the run's point columns to text:
 * no point objects, no intermediate JSON form, key strings escaped once per key.
 */
export function serializeEvent(event: TrackstreamEvent): string {
  return JSON.stringify(eventToJson(event));
}

const keyJsonCache = new Map<string, string>();

function keyJson(key: string): string {
  let j = keyJsonCache.get(key);
  if (j === undefined) {
    j = JSON.stringify(key);
    if (keyJsonCache.size < 10_000) keyJsonCache.set(key, j);
  }
  return j;
}

/** A double as the contract writes it in JSON: finite numbers as numbers, NaN/±Infinity as strings. */
export function metricValueJson(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

export interface MetricsEnvelope {
  event_id: string;
  project: string;
  experiment_id: string;
  run_id: string;
  occurred_at: number;
}

export interface PointSource {
  key(i: number): string;
  value(i: number): number;
  step(i: number): number;
  timestamp(i: number): number;
}

/** The JSON text of a metrics_logged event holding points [from, to) of `src`; equal to serializeEvent's. */
export function serializeMetrics(env: MetricsEnvelope, src: PointSource, from: number, to: number): string {
  let s =
    `{"event_id":${JSON.stringify(env.event_id)},"type":"metrics_logged","project":${JSON.stringify(env.project)},` +
    `"experiment_id":${JSON.stringify(env.experiment_id)},"run_id":${JSON.stringify(env.run_id)},"occurred_at":${env.occurred_at},"payload":{"points":[`;
  for (let i = from; i < to; i++) {
    if (i > from) s += ',';
    s += `{"key":${keyJson(src.key(i))},"value":${metricValueJson(src.value(i))},"step":${src.step(i)},"timestamp":${src.timestamp(i)}}`;
  }
  return s + ']}}';
}
