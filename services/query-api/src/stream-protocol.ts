/**
 * The pure parts of the live streams (`GET /v1/stream/...`): the Server-Sent Events framing, the resume cursor a
 * run stream puts in each event id, and what of a series a subscriber still needs. No I/O here.
 */

/** One SSE frame. `data` is JSON on one line (JSON.stringify never emits a raw newline), so one `data:` field. */
export function sseFrame(frame: { event: string; data: unknown; id?: string }): string {
  const id = frame.id === undefined ? '' : `id: ${frame.id.replace(/[\r\n]/g, '')}\n`;
  return `${id}event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`;
}

/** A comment line: keeps proxies and the browser from timing the connection out, and lets the server see a dead peer. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

/**
 * How far a subscriber has one series: the last step it was sent (its points are sent in step order, so every
 * later point has a greater step) and how many points of the series it covers (to notice a late point logged at
 * an earlier step, or a series that shrank: then the series is sent again whole).
 */
export interface SeriesMark {
  step: number;
  count: number;
}

/** What a run-stream subscriber has already received: a mark per metric key, and the last status it was told. */
export interface RunCursor {
  marks: Record<string, SeriesMark>;
  status: string | null;
}

export const EMPTY_CURSOR: RunCursor = Object.freeze({ marks: Object.freeze({}) as Record<string, SeriesMark>, status: null });

/** Version of the cursor's encoding; an id of another version (or another stream's) restarts from the beginning. */
const CURSOR_VERSION = 2;

/** The cursor as an SSE event id (base64url JSON), so `Last-Event-ID` on a reconnect resumes exactly after it. */
export function encodeRunCursor(c: RunCursor): string {
  const k = Object.fromEntries(Object.entries(c.marks).map(([key, m]) => [key, [m.step, m.count]]));
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, k, s: c.status }), 'utf8').toString('base64url');
}

/**
 * A `Last-Event-ID` back into a cursor. Anything unreadable (another stream's id, a truncated header, an older
 * encoding) means "start from the beginning": the client then gets each series' first frame again, which it
 * replaces, never duplicates.
 */
export function decodeRunCursor(raw: string | undefined): RunCursor {
  if (raw === undefined || raw === '' || raw.length > 16_384) return EMPTY_CURSOR;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { v?: unknown; k?: unknown; s?: unknown };
    if (typeof v !== 'object' || v === null || v.v !== CURSOR_VERSION || typeof v.k !== 'object' || v.k === null || Array.isArray(v.k)) return EMPTY_CURSOR;
    const marks: Record<string, SeriesMark> = {};
    for (const [key, m] of Object.entries(v.k as Record<string, unknown>)) {
      if (!Array.isArray(m) || m.length !== 2) continue;
      const [step, count] = m as unknown[];
      if (typeof step === 'number' && Number.isSafeInteger(step) && typeof count === 'number' && Number.isSafeInteger(count) && count >= 0) marks[key] = { step, count };
    }
    return { marks, status: typeof v.s === 'string' ? v.s : null };
  } catch {
    return EMPTY_CURSOR;
  }
}

/** A series as the projection holds it now: how many points, and its greatest step. */
export interface SeriesNow {
  count: number;
  lastStep: number;
}

/**
 * What a subscriber at `mark` needs of a series now at `now`: nothing; the `tail` after its last step (the series
 * only grew forward); or the `frame` again (first time, a point landed at an earlier step, or it shrank: another
 * server's view).
 */
export function seriesNeed(mark: SeriesMark | undefined, now: SeriesNow): 'none' | 'tail' | 'frame' {
  if (mark === undefined) return 'frame';
  if (now.count === mark.count && now.lastStep === mark.step) return 'none';
  if (now.count > mark.count && now.lastStep > mark.step) return 'tail';
  return 'frame';
}

/**
 * A tail read from after `fromStep` given to a subscriber at `mark`: the points after its own last step, and its
 * new mark; null when the tail no longer explains the series (`nowCount` has points the tail and the mark do not
 * cover: a late point at an earlier step), so the frame is due instead.
 */
export function tailFor<P extends { step: number }>(mark: SeriesMark, tail: readonly P[], nowCount: number): { points: P[]; mark: SeriesMark } | null {
  const points = tail.filter((p) => p.step > mark.step);
  const count = mark.count + points.length;
  if (count < nowCount) return null;
  const last = points[points.length - 1];
  return { points, mark: { step: last === undefined ? mark.step : last.step, count } };
}

/** The parts of a run an experiment stream reports, and whether two of them differ. */
export interface RunDigest {
  run_id: string;
  status: string | null;
  end_time: number | null;
  run_name: string | null;
  metric_counts: Record<string, number>;
}

export function digestChanged(before: RunDigest | undefined, after: RunDigest): boolean {
  if (before === undefined) return true;
  if (before.status !== after.status || before.end_time !== after.end_time || before.run_name !== after.run_name) return true;
  const a = before.metric_counts;
  const b = after.metric_counts;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return true;
  return false;
}

/** True when any partition's checkpoint moved (or a partition appeared): the projections applied something. */
export function checkpointsMoved(before: ReadonlyMap<number, bigint> | null, after: ReadonlyMap<number, bigint>): boolean {
  if (before === null) return true;
  if (before.size !== after.size) return true;
  for (const [p, o] of after) if (before.get(p) !== o) return true;
  return false;
}
