import type { StoredEvent } from '@trackstream/events';
import type { DecodedRecord } from '@trackstream/projection-core';

/** Test data shared by this package's tests: one event of every type, with hostile strings and non-finite values. */

const T0 = 1_763_900_000_000;
let counter = 0;

export function eventId(): string {
  counter += 1;
  const hex = counter.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

const envelope = (runId: string | null, at: number) => ({
  event_id: eventId(),
  project: 'vision',
  experiment_id: 'exp-7',
  run_id: runId,
  occurred_at: at,
  received_at: at + 5,
  principal: 'sdk:alice',
});

/** Every event type once for `runId` (plus its experiment), in a plausible order. */
export function everyEventType(runId = 'run-42'): StoredEvent[] {
  return [
    { ...envelope(null, T0), type: 'experiment_created', payload: { name: "it's \\ \u0000 ünï 🚀", description: null, tags: { team: 'risk' } } },
    {
      ...envelope(runId, T0 + 1),
      type: 'run_started',
      payload: {
        run_name: "x' OR 1=1 --",
        user: 'alice',
        parent_run_id: null,
        source: { git_commit: 'abc123', git_branch: 'main', git_dirty: false, entry_point: 'train.py', host: 'gpu-1' },
        start_time: T0 + 1,
        tags: { 'mlflow.note': 'line\nbreak' },
        context: { argv: '--lr 0.01' },
      },
    },
    { ...envelope(runId, T0 + 2), type: 'params_logged', payload: { params: { lr: '0.01', "evil'": "'; DROP TABLE events; --" } } },
    { ...envelope(runId, T0 + 3), type: 'tags_set', payload: { tags: { stage: 'train' } } },
    { ...envelope(runId, T0 + 4), type: 'tags_deleted', payload: { keys: ['stage'] } },
    metrics(runId, T0 + 5, [
      { key: 'loss', value: 0.9, step: 0 },
      { key: 'loss', value: NaN, step: 1 },
      { key: 'loss', value: 0.5, step: 2 },
      { key: 'val_acc', value: Infinity, step: 0 },
      { key: 'val_acc', value: -Infinity, step: 1 },
      { key: 'val_acc', value: -0, step: 2 },
      { key: 'val_acc', value: 0.75, step: 3 },
    ]),
    {
      ...envelope(runId, T0 + 6),
      type: 'artifact_logged',
      payload: { path: 'model/weights.bin', uri: 's3://bucket/weights.bin', size_bytes: 1024, sha256: null, media_type: 'application/octet-stream' },
    },
    {
      ...envelope(runId, T0 + 7),
      type: 'lineage_recorded',
      payload: { inputs: [{ kind: 'dataset', name: 'imagenet', version: '1', digest: null }], outputs: [{ kind: 'model', name: 'resnet', version: null, digest: 'sha256:00' }] },
    },
    { ...envelope(runId, T0 + 8), type: 'run_completed', payload: { status: 'FINISHED', end_time: T0 + 8 } },
    // Schema v2: experiment lifecycle and tags, run lifecycle and updates.
    { ...envelope(null, T0 + 9), type: 'experiment_renamed', payload: { name: "renamed ' \\ ✓" } },
    { ...envelope(null, T0 + 10), type: 'experiment_tags_set', payload: { tags: { owner: 'ada' } } },
    { ...envelope(null, T0 + 11), type: 'experiment_tags_deleted', payload: { keys: ['owner'] } },
    { ...envelope(null, T0 + 12), type: 'experiment_deleted', payload: {} },
    { ...envelope(null, T0 + 13), type: 'experiment_restored', payload: {} },
    { ...envelope(runId, T0 + 14), type: 'run_updated', payload: { run_name: 'renamed run', status: 'KILLED', end_time: T0 + 14 } },
    { ...envelope(runId, T0 + 15), type: 'run_deleted', payload: {} },
    { ...envelope(runId, T0 + 16), type: 'run_restored', payload: {} },
    // Schema v3: collaboration (raw events only; analysts read them from there).
    { ...envelope(runId, T0 + 17), type: 'note_added', payload: { note_id: '00000000-0000-4000-8000-0000000000d1', text: "# it's\n**markdown** \\ ✎" } },
    { ...envelope(null, T0 + 18), type: 'note_edited', payload: { note_id: '00000000-0000-4000-8000-0000000000d2', text: 'experiment note' } },
    { ...envelope(runId, T0 + 19), type: 'note_deleted', payload: { note_id: '00000000-0000-4000-8000-0000000000d1' } },
    { ...envelope(runId, T0 + 20), type: 'annotation_added', payload: { annotation_id: '00000000-0000-4000-8000-0000000000d3', key: 'loss', step: 2, text: 'spike' } },
    { ...envelope(runId, T0 + 21), type: 'annotation_deleted', payload: { annotation_id: '00000000-0000-4000-8000-0000000000d3' } },
    { ...envelope(runId, T0 + 22), type: 'run_starred', payload: { starred: true } },
    { ...envelope(runId, T0 + 23), type: 'run_pinned', payload: { pinned: false } },
    { ...envelope(null, T0 + 24), type: 'view_saved', payload: { name: "best' view", filter: "params.lr = '0.01'", order_by: ['metrics.loss ASC'], columns: ['params.lr'] } },
    { ...envelope(null, T0 + 25), type: 'view_deleted', payload: { name: "best' view" } },
  ];
}

export function metrics(runId: string, at: number, points: { key: string; value: number; step: number; timestamp?: number }[]): StoredEvent {
  return {
    ...envelope(runId, at),
    type: 'metrics_logged',
    payload: { points: points.map((p) => ({ key: p.key, value: p.value, step: p.step, timestamp: p.timestamp ?? at })) },
  };
}

/** Records with consecutive offsets from `first`. */
export function asRecords(events: readonly StoredEvent[], first = 0): DecodedRecord[] {
  return events.map((event, i) => ({ offset: String(first + i), event }));
}
