// Temporary mirror of the @trackstream/events contract (TEAM.md) until that package lands; replaced by imports.
export const LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 5000,
  pointsPerEvent: 1000,
  eventsPerBatch: 1000,
  batchBytes: 4194304,
  idPattern: /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
} as const;

type Envelope = { event_id: string; project: string; experiment_id: string; run_id: string | null; occurred_at: number };
export type LineageRef = { kind: 'dataset' | 'model' | 'code' | 'run'; name: string; version: string | null; digest: string | null };
export type MetricPoint = { key: string; value: number; step: number; timestamp: number };
export type TrackstreamEvent =
  | (Envelope & { type: 'experiment_created'; payload: { name: string; description: string | null; tags: Record<string, string> } })
  | (Envelope & {
      type: 'run_started';
      payload: {
        run_name: string | null;
        user: string | null;
        parent_run_id: string | null;
        source: { git_commit: string | null; git_branch: string | null; git_dirty: boolean | null; entry_point: string | null; host: string | null };
        start_time: number;
        tags: Record<string, string>;
        context: Record<string, string>;
      };
    })
  | (Envelope & { type: 'params_logged'; payload: { params: Record<string, string> } })
  | (Envelope & { type: 'metrics_logged'; payload: { points: MetricPoint[] } })
  | (Envelope & { type: 'tags_set'; payload: { tags: Record<string, string> } })
  | (Envelope & { type: 'tags_deleted'; payload: { keys: string[] } })
  | (Envelope & { type: 'artifact_logged'; payload: { path: string; uri: string; size_bytes: number | null; sha256: string | null; media_type: string | null } })
  | (Envelope & { type: 'lineage_recorded'; payload: { inputs: LineageRef[]; outputs: LineageRef[] } })
  | (Envelope & { type: 'run_completed'; payload: { status: 'FINISHED' | 'FAILED' | 'KILLED'; end_time: number } });

function jsonNumber(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

export function eventToJson(e: TrackstreamEvent): unknown {
  if (e.type !== 'metrics_logged') return e;
  return { ...e, payload: { points: e.payload.points.map((p) => ({ ...p, value: jsonNumber(p.value) })) } };
}
