/**
 * The pure parts of the live streams (`GET /v1/stream/...`): the Server-Sent Events framing, the resume cursor a
 * run stream puts in each event id, and which points of a series a subscriber has not seen yet. No I/O here.
 */

/** One SSE frame. `data` is JSON on one line (JSON.stringify never emits a raw newline), so one `data:` field. */
export function sseFrame(frame: { event: string; data: unknown; id?: string }): string {
  const id = frame.id === undefined ? '' : `id: ${frame.id.replace(/[\r\n]/g, '')}\n`;
  return `${id}event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`;
}

/** A comment line: keeps proxies and the browser from timing the connection out, and lets the server see a dead peer. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

/** What a run-stream subscriber has already received: points per metric key, and the last status it was told. */
export interface RunCursor {
  counts: Record<string, number>;
  status: string | null;
}

export const EMPTY_CURSOR: RunCursor = Object.freeze({ counts: Object.freeze({}) as Record<string, number>, status: null });

/** The cursor as an SSE event id (base64url JSON), so `Last-Event-ID` on a reconnect resumes exactly after it. */
export function encodeRunCursor(c: RunCursor): string {
  return Buffer.from(JSON.stringify({ c: c.counts, s: c.status }), 'utf8').toString('base64url');
}

/**
 * A `Last-Event-ID` back into a cursor. Anything unreadable (another stream's id, a truncated header) means "start
 * from the beginning": the client then gets the whole series again, which it replaces, never duplicates.
 */
export function decodeRunCursor(raw: string | undefined): RunCursor {
  if (raw === undefined || raw === '' || raw.length > 16_384) return EMPTY_CURSOR;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { c?: unknown; s?: unknown };
    if (typeof v !== 'object' || v === null || typeof v.c !== 'object' || v.c === null || Array.isArray(v.c)) return EMPTY_CURSOR;
    const counts: Record<string, number> = {};
    for (const [k, n] of Object.entries(v.c as Record<string, unknown>)) {
      if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) counts[k] = n;
    }
    return { counts, status: typeof v.s === 'string' ? v.s : null };
  } catch {
    return EMPTY_CURSOR;
  }
}

/**
 * What to send a subscriber for one series, given how many points it has seen and the series as now read:
 * `append` the unseen tail when the series is raw and only grew, else `replace` it whole (downsampled, or it
 * shrank: a subscriber's count from another server's view), else nothing.
 */
export function seriesUpdate<P>(seen: number, series: { points: readonly P[]; downsampled: boolean }): { kind: 'append' | 'replace'; points: P[] } | null {
  const n = series.points.length;
  if (!series.downsampled && n === seen) return null;
  if (!series.downsampled && n > seen) return { kind: 'append', points: series.points.slice(seen) };
  return { kind: 'replace', points: [...series.points] };
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
