import { eventToJson, type TrackstreamEvent } from './wire';

/**
 * Events are serialized once, when they are sealed, and travel as JSON text from then on (memory, spool,
 * request). Metric events, nearly all the volume, take a direct path from the run's point columns to text:
 * no point objects, no intermediate JSON form, key strings escaped once per key.
 */
export function serializeEvent(event: TrackstreamEvent): string {
  return JSON.stringify(eventToJson(event));
}

const pointPrefixCache = new Map<string, string>();

/** `{"key":<escaped key>,"value":` — the same for every point of a key, so built once per key. */
function pointPrefix(key: string): string {
  let p = pointPrefixCache.get(key);
  if (p === undefined) {
    p = `{"key":${JSON.stringify(key)},"value":`;
    if (pointPrefixCache.size < 10_000) pointPrefixCache.set(key, p);
  }
  return p;
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
  // Points of one log() call share step and timestamp: their common tail is formatted once.
  let lastStep = NaN;
  let lastTs = NaN;
  let tail = '';
  for (let i = from; i < to; i++) {
    const step = src.step(i);
    const ts = src.timestamp(i);
    if (step !== lastStep || ts !== lastTs) {
      lastStep = step;
      lastTs = ts;
      tail = `,"step":${step},"timestamp":${ts}}`;
    }
    if (i > from) s += ',';
    s += pointPrefix(src.key(i)) + metricValueJson(src.value(i)) + tail;
  }
  return s + ']}}';
}
