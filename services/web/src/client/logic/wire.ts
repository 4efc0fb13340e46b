/**
 * The query API's answers as the UI reads them: the shapes are the read model's own exported types (type-only
 * imports, erased by the bundler), so the UI never restates a run, an experiment, a metric point or an audit entry.
 */
import type {
  AnnotationView, AuditEntry, ExperimentView, HistoryPoint, LineageDirection, LineageEdgeView, LineageNodeView, LineageView, MetricComparison, NoteView, RunView, SavedViewView,
} from '@trackstream/read-model';

export type { AnnotationView, AuditEntry, ExperimentView, HistoryPoint, LineageDirection, LineageEdgeView, LineageNodeView, LineageView, MetricComparison, NoteView, RunView, SavedViewView };

/** `POST /v1/runs/search` */
export interface SearchAnswer {
  runs: RunView[];
  next_page_token: string | null;
}

/** `POST /v1/runs/compare` */
export interface CompareAnswer {
  runs: Pick<RunView, 'run_id' | 'experiment_id' | 'project' | 'run_name' | 'status'>[];
  params: Record<string, Record<string, string | null>>;
  metrics: Record<string, MetricComparison>;
}

/** `GET /v1/runs/:run_id/metrics/:key` */
export interface HistoryAnswer {
  points: HistoryPoint[];
  downsampled: boolean;
}

/** `GET /v1/runs/:run_id/events` */
export interface AuditAnswer {
  events: AuditEntry[];
  next_page_token: string | null;
}

/** The run stream's `run` event: the run's state as the projections hold it now. */
export type RunStreamState = Pick<RunView, 'status' | 'start_time' | 'end_time' | 'metrics' | 'params' | 'tags'>;

/** `GET /v1/lineage/nodes/:kind/:name` */
export interface LineageAnswer {
  roots: LineageNodeView[];
  nodes: LineageNodeView[];
  edges: LineageEdgeView[];
  next_page_token: string | null;
}

/** `GET /v1/lineage/impact/:kind/:name` */
export interface ImpactAnswer {
  roots: LineageNodeView[];
  runs: LineageNodeView[];
  models: LineageNodeView[];
  next_page_token: string | null;
}

/** `GET /v1/lineage/provenance/:kind/:name` */
export interface ProvenanceAnswer {
  roots: LineageNodeView[];
  runs: LineageNodeView[];
  datasets: LineageNodeView[];
  models: LineageNodeView[];
  code: LineageNodeView[];
  artifacts: LineageNodeView[];
  next_page_token: string | null;
}
