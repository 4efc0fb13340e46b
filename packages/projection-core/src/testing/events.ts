import { randomUUID } from 'node:crypto';
import type { EventOfType, EventType, LineageRef, StoredEvent } from '@trackstream/events';
import type { DecodedRecord, ProjectionBatch } from '../ports';

type Payload<T extends EventType> = EventOfType<T>['payload'];
type Stored<T extends EventType> = EventOfType<T> & { received_at: number; principal: string };

/**
 * Builds StoredEvents for tests (this package's, and every sink's through the contract suite).
 * Times advance by one millisecond per event so streams are deterministic apart from event ids.
 */
export class TestEvents {
  private clock: number;

  constructor(
    readonly project = 'proj',
    start = 1_763_900_000_000,
  ) {
    this.clock = start;
  }

  private envelope(experiment_id: string, run_id: string | null) {
    const t = this.clock++;
    return { event_id: randomUUID(), project: this.project, experiment_id, run_id, occurred_at: t, received_at: t + 1, principal: 'tester' };
  }

  private make<T extends EventType>(type: T, experiment_id: string, run_id: string | null, payload: Payload<T>): Stored<T> {
    return { ...this.envelope(experiment_id, run_id), type, payload } as unknown as Stored<T>;
  }

  experimentCreated(experiment_id: string, p: Partial<Payload<'experiment_created'>> = {}): Stored<'experiment_created'> {
    return this.make('experiment_created', experiment_id, null, { name: experiment_id, description: null, tags: {}, ...p });
  }

  runStarted(experiment_id: string, run_id: string, p: Partial<Payload<'run_started'>> = {}): Stored<'run_started'> {
    return this.make('run_started', experiment_id, run_id, {
      run_name: run_id,
      user: 'ada',
      parent_run_id: null,
      source: { git_commit: 'abc123', git_branch: 'main', git_dirty: false, entry_point: 'train.py', host: 'node-1' },
      start_time: this.clock,
      tags: {},
      context: {},
      ...p,
    });
  }

  paramsLogged(experiment_id: string, run_id: string, params: Record<string, string>): Stored<'params_logged'> {
    return this.make('params_logged', experiment_id, run_id, { params });
  }

  metricsLogged(experiment_id: string, run_id: string, points: { key: string; value: number; step: number; timestamp?: number }[]): Stored<'metrics_logged'> {
    const t = this.clock;
    return this.make('metrics_logged', experiment_id, run_id, { points: points.map((p) => ({ timestamp: t, ...p })) });
  }

  tagsSet(experiment_id: string, run_id: string, tags: Record<string, string>): Stored<'tags_set'> {
    return this.make('tags_set', experiment_id, run_id, { tags });
  }

  tagsDeleted(experiment_id: string, run_id: string, keys: string[]): Stored<'tags_deleted'> {
    return this.make('tags_deleted', experiment_id, run_id, { keys });
  }

  artifactLogged(experiment_id: string, run_id: string, p: Partial<Payload<'artifact_logged'>> & { path: string }): Stored<'artifact_logged'> {
    return this.make('artifact_logged', experiment_id, run_id, {
      uri: `s3://bucket/${run_id}/${p.path}`,
      size_bytes: 1024,
      sha256: null,
      media_type: 'application/octet-stream',
      ...p,
    });
  }

  lineageRecorded(experiment_id: string, run_id: string, inputs: LineageRef[], outputs: LineageRef[] = []): Stored<'lineage_recorded'> {
    return this.make('lineage_recorded', experiment_id, run_id, { inputs, outputs });
  }

  runCompleted(experiment_id: string, run_id: string, status: 'FINISHED' | 'FAILED' | 'KILLED' = 'FINISHED'): Stored<'run_completed'> {
    return this.make('run_completed', experiment_id, run_id, { status, end_time: this.clock });
  }

  experimentRenamed(experiment_id: string, name: string): Stored<'experiment_renamed'> {
    return this.make('experiment_renamed', experiment_id, null, { name });
  }

  experimentDeleted(experiment_id: string): Stored<'experiment_deleted'> {
    return this.make('experiment_deleted', experiment_id, null, {});
  }

  experimentRestored(experiment_id: string): Stored<'experiment_restored'> {
    return this.make('experiment_restored', experiment_id, null, {});
  }

  experimentTagsSet(experiment_id: string, tags: Record<string, string>): Stored<'experiment_tags_set'> {
    return this.make('experiment_tags_set', experiment_id, null, { tags });
  }

  experimentTagsDeleted(experiment_id: string, keys: string[]): Stored<'experiment_tags_deleted'> {
    return this.make('experiment_tags_deleted', experiment_id, null, { keys });
  }

  runDeleted(experiment_id: string, run_id: string): Stored<'run_deleted'> {
    return this.make('run_deleted', experiment_id, run_id, {});
  }

  runRestored(experiment_id: string, run_id: string): Stored<'run_restored'> {
    return this.make('run_restored', experiment_id, run_id, {});
  }

  runUpdated(experiment_id: string, run_id: string, p: Partial<Payload<'run_updated'>>): Stored<'run_updated'> {
    return this.make('run_updated', experiment_id, run_id, { run_name: null, status: null, end_time: null, ...p });
  }

  /** Collaboration (schema version 3): `by` is the principal the gateway would stamp. run_id null = on the experiment. */
  noteAdded(experiment_id: string, run_id: string | null, note_id: string, text: string, by = 'tester'): Stored<'note_added'> {
    return { ...this.make('note_added', experiment_id, run_id, { note_id, text }), principal: by };
  }

  noteEdited(experiment_id: string, run_id: string | null, note_id: string, text: string, by = 'tester'): Stored<'note_edited'> {
    return { ...this.make('note_edited', experiment_id, run_id, { note_id, text }), principal: by };
  }

  noteDeleted(experiment_id: string, run_id: string | null, note_id: string, by = 'tester'): Stored<'note_deleted'> {
    return { ...this.make('note_deleted', experiment_id, run_id, { note_id }), principal: by };
  }

  annotationAdded(experiment_id: string, run_id: string, p: Payload<'annotation_added'>, by = 'tester'): Stored<'annotation_added'> {
    return { ...this.make('annotation_added', experiment_id, run_id, p), principal: by };
  }

  annotationDeleted(experiment_id: string, run_id: string, annotation_id: string): Stored<'annotation_deleted'> {
    return this.make('annotation_deleted', experiment_id, run_id, { annotation_id });
  }

  runStarred(experiment_id: string, run_id: string, starred: boolean, by = 'tester'): Stored<'run_starred'> {
    return { ...this.make('run_starred', experiment_id, run_id, { starred }), principal: by };
  }

  runPinned(experiment_id: string, run_id: string, pinned: boolean): Stored<'run_pinned'> {
    return this.make('run_pinned', experiment_id, run_id, { pinned });
  }

  viewSaved(experiment_id: string, p: Partial<Payload<'view_saved'>> & { name: string }, by = 'tester'): Stored<'view_saved'> {
    return { ...this.make('view_saved', experiment_id, null, { filter: null, order_by: [], columns: [], ...p }), principal: by };
  }

  viewDeleted(experiment_id: string, name: string): Stored<'view_deleted'> {
    return this.make('view_deleted', experiment_id, null, { name });
  }

  /**
   * A small but complete history: every event type, a param conflict, a deleted tag, NaN and ±Infinity metric
   * values, out-of-step metric points, and a run whose events precede its run_started.
   */
  sampleStream(experiment_id = 'exp-1', runs = 3): StoredEvent[] {
    const out: StoredEvent[] = [this.experimentCreated(experiment_id, { description: 'contract', tags: { team: 'vision' } })];
    for (let r = 0; r < runs; r++) {
      const run = `${experiment_id}-run-${r}`;
      const early = this.paramsLogged(experiment_id, run, { seed: String(r) });
      if (r % 2 === 1) out.push(early);
      out.push(this.runStarted(experiment_id, run, { tags: { phase: 'train' }, parent_run_id: r > 0 ? `${experiment_id}-run-0` : null }));
      if (r % 2 === 0) out.push(early);
      out.push(this.paramsLogged(experiment_id, run, { lr: `0.0${r + 1}`, layers: '4' }));
      out.push(this.paramsLogged(experiment_id, run, { lr: '0.5' }));
      out.push(
        this.metricsLogged(experiment_id, run, [
          { key: 'loss', value: 1 / (r + 1), step: 2 },
          { key: 'loss', value: 0.9, step: 1 },
          { key: 'loss', value: Number.NaN, step: 3 },
          { key: 'acc', value: 0.5 + r / 10, step: 1 },
          { key: 'grad', value: Number.POSITIVE_INFINITY, step: 1 },
          { key: 'grad', value: Number.NEGATIVE_INFINITY, step: 2 },
          { key: 'bad', value: Number.NaN, step: 1 },
        ]),
      );
      out.push(this.metricsLogged(experiment_id, run, [{ key: 'acc', value: 0.25, step: 0 }]));
      out.push(this.tagsSet(experiment_id, run, { owner: 'ada', temp: 'x' }));
      out.push(this.tagsDeleted(experiment_id, run, ['temp']));
      out.push(this.artifactLogged(experiment_id, run, { path: 'model.pt', sha256: 'f'.repeat(64) }));
      out.push(
        this.lineageRecorded(
          experiment_id,
          run,
          [{ kind: 'dataset', name: 'imagenet', version: '2012', digest: null }],
          [{ kind: 'model', name: `model-${r}`, version: null, digest: 'sha256:abc' }],
        ),
      );
      out.push(this.runCompleted(experiment_id, run, r === 1 ? 'FAILED' : 'FINISHED'));
    }
    return out;
  }
}

/** Consecutive records from `firstOffset`. */
export function recordsOf(events: StoredEvent[], firstOffset = 0): DecodedRecord[] {
  return events.map((event, i) => ({ offset: String(firstOffset + i), event }));
}

export function batchOf(topic: string, partition: number, events: StoredEvent[], firstOffset = 0): ProjectionBatch {
  return { topic, partition, records: recordsOf(events, firstOffset), nextOffset: String(firstOffset + events.length) };
}
