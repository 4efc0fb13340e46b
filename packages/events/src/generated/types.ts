// GENERATED from schemas/trackstream.events.v1/event.v3.avsc (schema version 3) by `npm run generate -w @trackstream/events`. Do not edit by hand.

export const EVENT_TYPES = ['experiment_created', 'run_started', 'params_logged', 'metrics_logged', 'tags_set', 'tags_deleted', 'artifact_logged', 'lineage_recorded', 'run_completed', 'experiment_renamed', 'experiment_deleted', 'experiment_restored', 'experiment_tags_set', 'experiment_tags_deleted', 'run_deleted', 'run_restored', 'run_updated', 'note_added', 'note_edited', 'note_deleted', 'annotation_added', 'annotation_deleted', 'run_starred', 'run_pinned', 'view_saved', 'view_deleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Fields every event carries, as the producer sends them. */
export type Envelope = {
  /** Chosen by the producer; a retry re-sends the same id. */
  event_id: string;
  project: string;
  experiment_id: string;
  /** Null only for experiment-level events. */
  run_id: string | null;
  /** Milliseconds since the epoch, producer clock. */
  occurred_at: number;
};

/** Fields the gateway adds before appending an event to the log. */
export type GatewayFields = {
  /** Milliseconds since the epoch, gateway clock. */
  received_at: number;
  /** The authenticated principal that sent the event. */
  principal: string;
};

export type ExperimentCreatedPayload = {
  name: string;
  description: string | null;
  tags: Record<string, string>;
};

export type RunSource = {
  git_commit: string | null;
  git_branch: string | null;
  git_dirty: boolean | null;
  entry_point: string | null;
  host: string | null;
};

export type RunStartedPayload = {
  run_name: string | null;
  user: string | null;
  parent_run_id: string | null;
  source: RunSource;
  /** Milliseconds since the epoch. */
  start_time: number;
  tags: Record<string, string>;
  /** Environment of the run: argv, runtime version, dependencies, selected environment variables. */
  context: Record<string, string>;
};

export type ParamsLoggedPayload = {
  /** A param is immutable: a different value for an existing key is a conflict. */
  params: Record<string, string>;
};

export type MetricPoint = {
  key: string;
  /** NaN and +/-Infinity allowed (JSON: "NaN", "Infinity", "-Infinity"). */
  value: number;
  step: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
};

export type MetricsLoggedPayload = {
  points: MetricPoint[];
};

export type TagsSetPayload = {
  tags: Record<string, string>;
};

export type TagsDeletedPayload = {
  keys: string[];
};

export type ArtifactLoggedPayload = {
  path: string;
  uri: string;
  size_bytes: number | null;
  sha256: string | null;
  media_type: string | null;
};

export type LineageKind = 'dataset' | 'model' | 'code' | 'run';

export type LineageRef = {
  kind: LineageKind;
  name: string;
  version: string | null;
  digest: string | null;
};

export type LineageRecordedPayload = {
  inputs: LineageRef[];
  outputs: LineageRef[];
};

export type RunStatus = 'FINISHED' | 'FAILED' | 'KILLED';

export type RunCompletedPayload = {
  status: RunStatus;
  /** Milliseconds since the epoch. */
  end_time: number;
};

/** The experiment gets a new name (names are unique within a project; the producer checks). */
export type ExperimentRenamedPayload = {
  name: string;
};

/** Soft delete: the experiment and its runs leave the active view; restorable. */
export type ExperimentDeletedPayload = {
};

/** Undoes experiment_deleted. */
export type ExperimentRestoredPayload = {
};

export type ExperimentTagsSetPayload = {
  tags: Record<string, string>;
};

export type ExperimentTagsDeletedPayload = {
  keys: string[];
};

/** Soft delete: the run leaves the active view; restorable. */
export type RunDeletedPayload = {
};

/** Undoes run_deleted. */
export type RunRestoredPayload = {
};

/** Every state of a run, as MLflow names them. */
export type RunState = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** Changes a run's name, status or end time; null fields stay as they are. */
export type RunUpdatedPayload = {
  run_name: string | null;
  status: RunState | null;
  /** Milliseconds since the epoch. */
  end_time: number | null;
};

/** A markdown note on the run (run_id set) or on the experiment (run_id null); its author is the event's principal. */
export type NoteAddedPayload = {
  /** Chosen by the producer; edits and deletion name it. */
  note_id: string;
  /** Markdown. */
  text: string;
};

/** Replaces a note's text (the author stays; the editor is the event's principal). */
export type NoteEditedPayload = {
  note_id: string;
  text: string;
};

/** Removes a note. */
export type NoteDeletedPayload = {
  note_id: string;
};

/** A remark at one step of a run's metric. */
export type AnnotationAddedPayload = {
  annotation_id: string;
  /** The metric key. */
  key: string;
  step: number;
  text: string;
};

export type AnnotationDeletedPayload = {
  annotation_id: string;
};

/** The event's principal stars (true) or unstars (false) the run. */
export type RunStarredPayload = {
  starred: boolean;
};

/** Pins (true) or unpins (false) the run in its experiment, for everyone. */
export type RunPinnedPayload = {
  pinned: boolean;
};

/** A named view of the experiment's runs table (saving a name again replaces it). */
export type ViewSavedPayload = {
  name: string;
  /** The search filter (runs search grammar). */
  filter: string | null;
  order_by: string[];
  columns: string[];
};

export type ViewDeletedPayload = {
  name: string;
};

/** One event as sent by a producer, discriminated on `type`. */
export type TrackstreamEvent =
  | (Envelope & { type: 'experiment_created'; payload: ExperimentCreatedPayload })
  | (Envelope & { type: 'run_started'; payload: RunStartedPayload })
  | (Envelope & { type: 'params_logged'; payload: ParamsLoggedPayload })
  | (Envelope & { type: 'metrics_logged'; payload: MetricsLoggedPayload })
  | (Envelope & { type: 'tags_set'; payload: TagsSetPayload })
  | (Envelope & { type: 'tags_deleted'; payload: TagsDeletedPayload })
  | (Envelope & { type: 'artifact_logged'; payload: ArtifactLoggedPayload })
  | (Envelope & { type: 'lineage_recorded'; payload: LineageRecordedPayload })
  | (Envelope & { type: 'run_completed'; payload: RunCompletedPayload })
  | (Envelope & { type: 'experiment_renamed'; payload: ExperimentRenamedPayload })
  | (Envelope & { type: 'experiment_deleted'; payload: ExperimentDeletedPayload })
  | (Envelope & { type: 'experiment_restored'; payload: ExperimentRestoredPayload })
  | (Envelope & { type: 'experiment_tags_set'; payload: ExperimentTagsSetPayload })
  | (Envelope & { type: 'experiment_tags_deleted'; payload: ExperimentTagsDeletedPayload })
  | (Envelope & { type: 'run_deleted'; payload: RunDeletedPayload })
  | (Envelope & { type: 'run_restored'; payload: RunRestoredPayload })
  | (Envelope & { type: 'run_updated'; payload: RunUpdatedPayload })
  | (Envelope & { type: 'note_added'; payload: NoteAddedPayload })
  | (Envelope & { type: 'note_edited'; payload: NoteEditedPayload })
  | (Envelope & { type: 'note_deleted'; payload: NoteDeletedPayload })
  | (Envelope & { type: 'annotation_added'; payload: AnnotationAddedPayload })
  | (Envelope & { type: 'annotation_deleted'; payload: AnnotationDeletedPayload })
  | (Envelope & { type: 'run_starred'; payload: RunStarredPayload })
  | (Envelope & { type: 'run_pinned'; payload: RunPinnedPayload })
  | (Envelope & { type: 'view_saved'; payload: ViewSavedPayload })
  | (Envelope & { type: 'view_deleted'; payload: ViewDeletedPayload })
  ;

/** The payload type of each event type. */
export type EventPayloads = {
  experiment_created: ExperimentCreatedPayload;
  run_started: RunStartedPayload;
  params_logged: ParamsLoggedPayload;
  metrics_logged: MetricsLoggedPayload;
  tags_set: TagsSetPayload;
  tags_deleted: TagsDeletedPayload;
  artifact_logged: ArtifactLoggedPayload;
  lineage_recorded: LineageRecordedPayload;
  run_completed: RunCompletedPayload;
  experiment_renamed: ExperimentRenamedPayload;
  experiment_deleted: ExperimentDeletedPayload;
  experiment_restored: ExperimentRestoredPayload;
  experiment_tags_set: ExperimentTagsSetPayload;
  experiment_tags_deleted: ExperimentTagsDeletedPayload;
  run_deleted: RunDeletedPayload;
  run_restored: RunRestoredPayload;
  run_updated: RunUpdatedPayload;
  note_added: NoteAddedPayload;
  note_edited: NoteEditedPayload;
  note_deleted: NoteDeletedPayload;
  annotation_added: AnnotationAddedPayload;
  annotation_deleted: AnnotationDeletedPayload;
  run_starred: RunStarredPayload;
  run_pinned: RunPinnedPayload;
  view_saved: ViewSavedPayload;
  view_deleted: ViewDeletedPayload;
};
