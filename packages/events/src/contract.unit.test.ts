// The API other components code against (TEAM.md): values checked at run time, types checked by tsc -b.
import {
  DLQ_TOPIC, EVENT_TYPES, EVENTS_TOPIC, LIMITS, parseEvent,
  type EventOfType, type EventType, type LineageRef, type StoredEvent, type TrackstreamEvent, type ValidationProblem,
} from './index';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

describe('the shared event API', () => {
  test('given the contract, then topics, event types and limits have the agreed values', () => {
    expect(EVENTS_TOPIC).toBe('trackstream.events.v1');
    expect(DLQ_TOPIC).toBe('trackstream.events.dlq.v1');
    expect(EVENT_TYPES).toEqual(['experiment_created', 'run_started', 'params_logged', 'metrics_logged', 'tags_set', 'tags_deleted', 'artifact_logged', 'lineage_recorded', 'run_completed',
      'experiment_renamed', 'experiment_deleted', 'experiment_restored', 'experiment_tags_set', 'experiment_tags_deleted', 'run_deleted', 'run_restored', 'run_updated',
      'note_added', 'note_edited', 'note_deleted', 'annotation_added', 'annotation_deleted', 'run_starred', 'run_pinned', 'view_saved', 'view_deleted']);
    expect(LIMITS).toMatchObject({ keyLength: 250, paramValueLength: 6000, tagValueLength: 5000, pointsPerEvent: 1000, eventsPerBatch: 1000, batchBytes: 4 * 1024 * 1024 });
    expect(LIMITS.idPattern.source).toBe('^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$');
  });

  test('given the generated types, then they have the agreed shapes', () => {
    assertType<Equals<EventType, (typeof EVENT_TYPES)[number]>>();
    assertType<Equals<TrackstreamEvent['run_id'], string | null>>();
    assertType<Equals<TrackstreamEvent['occurred_at'], number>>();
    assertType<Equals<StoredEvent['received_at'], number>>();
    assertType<Equals<StoredEvent['principal'], string>>();
    assertType<Equals<LineageRef, { kind: 'dataset' | 'model' | 'code' | 'run'; name: string; version: string | null; digest: string | null }>>();
    assertType<Equals<EventOfType<'run_completed'>['payload'], { status: 'FINISHED' | 'FAILED' | 'KILLED'; end_time: number }>>();
    assertType<Equals<EventOfType<'metrics_logged'>['payload']['points'][number], { key: string; value: number; step: number; timestamp: number }>>();
    assertType<Equals<EventOfType<'artifact_logged'>['payload'], { path: string; uri: string; size_bytes: number | null; sha256: string | null; media_type: string | null }>>();
    assertType<Equals<EventOfType<'run_started'>['payload']['source'], { git_commit: string | null; git_branch: string | null; git_dirty: boolean | null; entry_point: string | null; host: string | null }>>();
    assertType<Equals<EventOfType<'run_started'>['payload']['context'], Record<string, string>>>();
    assertType<Equals<ValidationProblem, { index: number | null; path: string; message: string }>>();
  });

  test('given events written against the contract types, when validated, then they are accepted as they are', () => {
    const completed: EventOfType<'run_completed'> = {
      event_id: '0b6f7c2e-0000-4000-8000-000000000000', type: 'run_completed', project: 'vision', experiment_id: 'exp-1', run_id: 'run-1',
      occurred_at: 1763900000000, payload: { status: 'KILLED', end_time: 1763900000001 },
    };
    const created: TrackstreamEvent = {
      event_id: '0b6f7c2e-0000-4000-8000-000000000001', type: 'experiment_created', project: 'vision', experiment_id: 'exp-1', run_id: null,
      occurred_at: 1763900000000, payload: { name: 'exp', description: 'd', tags: {} },
    };
    expect(parseEvent(completed)).toEqual({ ok: true, event: completed });
    expect(parseEvent(created)).toEqual({ ok: true, event: created });
  });
});
