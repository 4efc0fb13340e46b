import { eventToJson, type StoredEvent } from '@trackstream/events';

/**
 * The ClickHouse projection as a pure function: decoded records in, table rows out, no I/O. The same records
 * always give the same rows (nothing here reads a clock or a counter), which is what makes redelivery harmless.
 */

export interface MetricPointRow {
  project: string;
  experiment_id: string;
  run_id: string;
  key: string;
  step: number;
  timestamp: number;
  /**
   * The value's IEEE-754 bits as a decimal UInt64; the table derives `value` from them. JSON has no NaN/Infinity,
   * drops the sign of -0, and 18.16 parses some decimal doubles 1-2 ULP off: bits carry every double exactly.
   */
  value_bits: string;
  event_id: string;
  point_index: number;
  /** UInt64 as a decimal string: offsets may pass 2^53. */
  offset: string;
}

/**
 * The points of one metrics event with the columns they share: how the projection hands points to the sink, which
 * encodes the shared columns once per event (row-binary.ts). `metricPointRows` spells out the rows they become.
 */
export interface MetricPointGroup {
  project: string;
  experiment_id: string;
  run_id: string;
  event_id: string;
  /** UInt64 as a decimal string, as in the rows. */
  offset: string;
  /** The event's points, in payload order: point_index is the position here. */
  points: readonly MetricPoint[];
}

export interface MetricPoint {
  key: string;
  step: number;
  timestamp: number;
  value: number;
}

export interface EventRow {
  event_id: string;
  type: string;
  project: string;
  experiment_id: string;
  run_id: string | null;
  occurred_at: number;
  received_at: number;
  principal: string;
  /**
   * The payload in the contract's JSON form (eventToJson: non-finite metric values as "NaN"/"Infinity"/"-Infinity"),
   * keys sorted: the same event gives the same text whether it came from Avro (schema order) or was built in code.
   */
  payload: string;
  partition: number;
  offset: string;
}

export interface CheckpointRow {
  topic: string;
  partition: number;
  next_offset: string;
  updated_at: number;
}

/** A record whose data ClickHouse could not store (e.g. a step outside Int64): poison, never retried. */
export interface RejectedRecord {
  offset: string;
  reason: string;
}

export interface ProjectedRows {
  pointGroups: MetricPointGroup[];
  /** The number of point rows in pointGroups. */
  pointCount: number;
  events: EventRow[];
  rejected: RejectedRecord[];
}

export interface RecordInput {
  offset: string;
  event: StoredEvent;
}

/** JSON.stringify with every object's keys in sorted order (arrays keep theirs). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  // No prototype: a decoded map may hold a "__proto__" key as data, which assignment on a plain object would
  // turn into a prototype change, dropping the key from the payload.
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
  return out;
}

const POINT_KEYS = ['key', 'step', 'timestamp', 'value'];

/** The contract's JSON spelling of a metric value (as eventToJson writes it): non-finite values as strings. */
function jsonMetricValue(v: number): string {
  if (Number.isFinite(v)) return String(v); // what JSON.stringify writes for a finite number, -0 → 0 included
  if (Number.isNaN(v)) return '"NaN"';
  return v > 0 ? '"Infinity"' : '"-Infinity"';
}

/**
 * canonicalJson(eventToJson(e).payload) for a metrics event, written straight from the points: a payload holds up
 * to a thousand points and this is the projector's hot path (rows.unit.test.ts checks the two agree). A point with
 * other fields than the four known ones (a later schema version) takes the generic route, so nothing is dropped.
 */
function metricsPayloadJson(event: Extract<StoredEvent, { type: 'metrics_logged' }>): string {
  const points = event.payload.points;
  const parts = new Array<string>(points.length);
  for (let i = 0; i < points.length; i++) {
    const pt = points[i]!;
    let n = 0;
    for (const k in pt) {
      if (!POINT_KEYS.includes(k)) return canonicalJson((eventToJson(event) as { payload: unknown }).payload);
      n++;
    }
    if (n !== POINT_KEYS.length) return canonicalJson((eventToJson(event) as { payload: unknown }).payload);
    parts[i] = `{"key":${JSON.stringify(pt.key)},"step":${pt.step},"timestamp":${pt.timestamp},"value":${jsonMetricValue(pt.value)}}`;
  }
  return `{"points":[${parts.join(',')}]}`;
}

const bitsBuffer = Buffer.alloc(8);

/** A double's IEEE-754 bits as an unsigned decimal (the little-endian reading matches reinterpretAsString). */
export function float64Bits(v: number): string {
  bitsBuffer.writeDoubleLE(v);
  return bitsBuffer.readBigUInt64LE(0).toString();
}

const INT64_LIMIT = 2 ** 63;

function isInt64(v: number): boolean {
  return Number.isInteger(v) && v < INT64_LIMIT && v >= -INT64_LIMIT;
}

function int64Problem(name: string, v: number): string | null {
  return isInt64(v) ? null : `${name} ${v} is not an Int64`;
}

function recordProblem(e: StoredEvent): string | null {
  const envelope = int64Problem('occurred_at', e.occurred_at) ?? int64Problem('received_at', e.received_at);
  if (envelope !== null) return envelope;
  if (e.received_at < 0) return `received_at ${e.received_at} is negative`;
  if (e.type === 'metrics_logged') {
    const points = e.payload.points;
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      // Checked with isInt64 first: this runs for every point, the messages only for a bad one.
      if (!isInt64(p.step)) return `points[${i}].step ${p.step} is not an Int64`;
      if (!isInt64(p.timestamp)) return `points[${i}].timestamp ${p.timestamp} is not an Int64`;
    }
  }
  return null;
}

/** Rows for one partition's records, in log order. */
export function toRows(records: readonly RecordInput[], partition: number): ProjectedRows {
  const out: ProjectedRows = { pointGroups: [], pointCount: 0, events: [], rejected: [] };
  for (const { offset, event } of records) {
    const problem = recordProblem(event);
    if (problem !== null) {
      out.rejected.push({ offset, reason: problem });
      continue;
    }
    out.events.push({
      event_id: event.event_id,
      type: event.type,
      project: event.project,
      experiment_id: event.experiment_id,
      run_id: event.run_id,
      occurred_at: event.occurred_at,
      received_at: event.received_at,
      principal: event.principal,
      payload: event.type === 'metrics_logged' ? metricsPayloadJson(event) : canonicalJson((eventToJson(event) as { payload: unknown }).payload),
      partition,
      offset,
    });
    if (event.type !== 'metrics_logged') continue;
    // run_id is required for every type but experiment_created; the validator guarantees it.
    const points = event.payload.points;
    if (points.length === 0) continue;
    out.pointGroups.push({
      project: event.project,
      experiment_id: event.experiment_id,
      run_id: event.run_id ?? '',
      event_id: event.event_id,
      offset,
      points,
    });
    out.pointCount += points.length;
  }
  return out;
}

/** The metric_points rows `groups` stand for, as the table holds them (the value as its bits). */
export function metricPointRows(groups: readonly MetricPointGroup[]): MetricPointRow[] {
  return groups.flatMap((g) =>
    g.points.map((p, i) => ({
      project: g.project,
      experiment_id: g.experiment_id,
      run_id: g.run_id,
      key: p.key,
      step: p.step,
      timestamp: p.timestamp,
      value_bits: float64Bits(p.value),
      event_id: g.event_id,
      point_index: i,
      offset: g.offset,
    })),
  );
}

export function checkpointRow(topic: string, partition: number, nextOffset: string, nowMs: number): CheckpointRow {
  return { topic, partition, next_offset: nextOffset, updated_at: nowMs };
}
