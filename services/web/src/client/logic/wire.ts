/**
 * The query API's answers as the UI reads them: the shapes are the read model's own exported types (type-only
 * imports, erased by the bundler), so the UI never restates a run, an experiment, a metric point or an audit entry.
 */
import type { AuditEntry, ExperimentView, HistoryPoint, LineageView, MetricComparison, RunView } from '@trackstream/read-model';

export type { AuditEntry, ExperimentView, HistoryPoint, LineageView, MetricComparison, RunView };

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
