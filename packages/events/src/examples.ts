import type { TrackstreamEvent } from './generated/types';

const base = { project: 'vision', experiment_id: 'exp-resnet.sweep:1', occurred_at: 1763900000000 } as const;

/**
 * One valid event of every type, with the awkward values (non-finite metrics, nulls, unicode, maximum lengths are in
 * the tests) — for tests here and in the components that carry events (gateway, projectors, SDK).
 */
export function exampleEvents(): TrackstreamEvent[] {
  const run = { ...base, run_id: 'run-0001' };
  return [
    {
      ...base, run_id: null, event_id: '00000000-0000-4000-8000-000000000001', type: 'experiment_created',
      payload: { name: 'résumé sweep 🚀', description: null, tags: { team: 'vision', 'note/δ': 'ünïcödé ✓' } },
    },
    {
      ...run, event_id: '00000000-0000-4000-8000-000000000002', type: 'run_started',
      payload: {
        run_name: 'lr=0.01', user: 'ada', parent_run_id: null,
        source: { git_commit: 'a'.repeat(40), git_branch: 'main', git_dirty: false, entry_point: 'train.py', host: null },
        start_time: 1763900000000, tags: {}, context: { argv: '["train.py","--lr","0.01"]', node: 'v20.20.2' },
      },
    },
    { ...run, event_id: '00000000-0000-4000-8000-000000000003', type: 'params_logged', payload: { params: { lr: '0.01', layers: '50', 'model/name': 'resnet—50' } } },
    {
      ...run, event_id: '00000000-0000-4000-8000-000000000004', type: 'metrics_logged',
      payload: {
        points: [
          { key: 'loss', value: 0.42, step: 0, timestamp: 1763900000001 },
          { key: 'loss', value: NaN, step: 1, timestamp: 1763900000002 },
          { key: 'grad_norm', value: Infinity, step: 1, timestamp: 1763900000002 },
          { key: 'grad_norm', value: -Infinity, step: 2, timestamp: 1763900000003 },
          { key: 'tiny', value: 5e-324, step: -5, timestamp: 0 },
          { key: 'big', value: 1.7976931348623157e308, step: Number.MAX_SAFE_INTEGER - 1, timestamp: 1763900000004 },
        ],
      },
    },
    { ...run, event_id: '00000000-0000-4000-8000-000000000005', type: 'tags_set', payload: { tags: { team: 'risk', 'mlflow.note': '多语言 текст' } } },
    { ...run, event_id: '00000000-0000-4000-8000-000000000006', type: 'tags_deleted', payload: { keys: ['team', 'obsolete'] } },
    {
      ...run, event_id: '00000000-0000-4000-8000-000000000007', type: 'artifact_logged',
      payload: { path: 'model/weights.bin', uri: 's3://bucket/run-0001/model/weights.bin', size_bytes: 123456789, sha256: 'e'.repeat(64), media_type: null },
    },
    {
      ...run, event_id: '00000000-0000-4000-8000-000000000008', type: 'lineage_recorded',
      payload: {
        inputs: [{ kind: 'dataset', name: 'imagenet', version: '2012', digest: null }, { kind: 'code', name: 'repo', version: null, digest: 'sha1:abc' }],
        outputs: [{ kind: 'model', name: 'resnet50', version: null, digest: null }],
      },
    },
    { ...run, event_id: '00000000-0000-4000-8000-000000000009', type: 'run_completed', payload: { status: 'FINISHED', end_time: 1763900100000 } },
    { ...base, run_id: null, event_id: '00000000-0000-4000-8000-00000000000a', type: 'experiment_renamed', payload: { name: 'renamed sweep ✓' } },
    { ...base, run_id: null, event_id: '00000000-0000-4000-8000-00000000000b', type: 'experiment_tags_set', payload: { tags: { owner: 'ada', 'mlflow.note.content': 'notes ✎' } } },
    { ...base, run_id: null, event_id: '00000000-0000-4000-8000-00000000000c', type: 'experiment_tags_deleted', payload: { keys: ['owner'] } },
    { ...base, run_id: null, event_id: '00000000-0000-4000-8000-00000000000d', type: 'experiment_deleted', payload: {} },
    { ...base, run_id: null, event_id: '00000000-0000-4000-8000-00000000000e', type: 'experiment_restored', payload: {} },
    { ...run, event_id: '00000000-0000-4000-8000-00000000000f', type: 'run_updated', payload: { run_name: 'renamed run', status: 'KILLED', end_time: 1763900200000 } },
    { ...run, event_id: '00000000-0000-4000-8000-000000000010', type: 'run_updated', payload: { run_name: null, status: null, end_time: null } },
    { ...run, event_id: '00000000-0000-4000-8000-000000000011', type: 'run_deleted', payload: {} },
    { ...run, event_id: '00000000-0000-4000-8000-000000000012', type: 'run_restored', payload: {} },
    { ...run, event_id: '00000000-0000-4000-8000-000000000013', type: 'note_added', payload: { note_id: '00000000-0000-4000-8000-0000000000e1', text: '# Why\n*lr* too high — see step 40 ✎' } },
    { ...base, run_id: null, event_id: '00000000-0000-4000-8000-000000000014', type: 'note_added', payload: { note_id: '00000000-0000-4000-8000-0000000000e2', text: 'sweep plan' } },
    { ...run, event_id: '00000000-0000-4000-8000-000000000015', type: 'note_edited', payload: { note_id: '00000000-0000-4000-8000-0000000000e1', text: 'lr fine after all' } },
    { ...run, event_id: '00000000-0000-4000-8000-000000000016', type: 'note_deleted', payload: { note_id: '00000000-0000-4000-8000-0000000000e1' } },
    { ...run, event_id: '00000000-0000-4000-8000-000000000017', type: 'annotation_added', payload: { annotation_id: '00000000-0000-4000-8000-0000000000e3', key: 'loss', step: 40, text: 'spike: bad batch' } },
    { ...run, event_id: '00000000-0000-4000-8000-000000000018', type: 'annotation_deleted', payload: { annotation_id: '00000000-0000-4000-8000-0000000000e3' } },
    { ...run, event_id: '00000000-0000-4000-8000-000000000019', type: 'run_starred', payload: { starred: true } },
    { ...run, event_id: '00000000-0000-4000-8000-00000000001a', type: 'run_pinned', payload: { pinned: false } },
    {
      ...base, run_id: null, event_id: '00000000-0000-4000-8000-00000000001b', type: 'view_saved',
      payload: { name: 'best by loss', filter: "metrics.loss < 0.5 AND params.lr = '0.01'", order_by: ['metrics.loss ASC'], columns: ['params.lr', 'metrics.loss'] },
    },
    { ...base, run_id: null, event_id: '00000000-0000-4000-8000-00000000001c', type: 'view_deleted', payload: { name: 'best by loss' } },
  ];
}
