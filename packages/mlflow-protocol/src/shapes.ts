import { toWireExperimentId } from './ids';

/**
 * MLflow's JSON shapes (service.proto Run, RunInfo, RunData, Experiment, Metric) built from the read model's views,
 * and the mapping of MLflow's system tags onto Trackstream's run fields.
 */
/** A double as proto3 JSON writes it (the read model's `jsonNumber` spelling: NaN and infinities as strings). */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** MLflow system tags that are run fields in Trackstream (mlflow/utils/mlflow_tags.py). */
export const SYSTEM_TAGS = Object.freeze({
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  parentRunId: 'mlflow.parentRunId',
  sourceName: 'mlflow.source.name',
  gitCommit: 'mlflow.source.git.commit',
  gitBranch: 'mlflow.source.git.branch',
  note: 'mlflow.note.content',
});

export interface RunFields {
  run_name: string | null;
  user: string | null;
  parent_run_id: string | null;
  source: { git_commit: string | null; git_branch: string | null; git_dirty: boolean | null; entry_point: string | null; host: string | null };
}

/** The run fields that MLflow's tags of a create-run carry (explicit fields win over tags: the caller merges). */
export function runFieldsFromTags(tags: Readonly<Record<string, string>>): RunFields {
  return {
    run_name: tags[SYSTEM_TAGS.runName] ?? null,
    user: tags[SYSTEM_TAGS.user] ?? null,
    parent_run_id: tags[SYSTEM_TAGS.parentRunId] ?? null,
    source: {
      git_commit: tags[SYSTEM_TAGS.gitCommit] ?? null,
      git_branch: tags[SYSTEM_TAGS.gitBranch] ?? null,
      git_dirty: null,
      entry_point: tags[SYSTEM_TAGS.sourceName] ?? null,
      host: null,
    },
  };
}

/** Tags as MLflow shows them: the stored tags plus the system tags of the run's fields when no tag says them. */
export function tagsWithSystemTags(tags: Readonly<Record<string, string>>, fields: RunFields): Record<string, string> {
  const out: Record<string, string> = { ...tags };
  const put = (key: string, value: string | null) => {
    if (value !== null && value !== '' && out[key] === undefined) out[key] = value;
  };
  put(SYSTEM_TAGS.runName, fields.run_name);
  put(SYSTEM_TAGS.user, fields.user);
  put(SYSTEM_TAGS.parentRunId, fields.parent_run_id);
  put(SYSTEM_TAGS.sourceName, fields.source.entry_point);
  put(SYSTEM_TAGS.gitCommit, fields.source.git_commit);
  put(SYSTEM_TAGS.gitBranch, fields.source.git_branch);
  return out;
}

/** The read model's run view, as far as MLflow's Run needs it. */
export interface RunFacts extends RunFields {
  run_id: string;
  experiment_id: string;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, { value: JsonNumber; step: number; timestamp: number }>;
  lineage: { inputs: { kind: string; name: string; version: string | null; digest: string | null }[] };
}

export type LifecycleStage = 'active' | 'deleted';

/** `mlflow-artifacts:/<experiment>/<run>/artifacts`: what MLflow's server with the artifact proxy answers. */
export function runArtifactUri(wireExperimentId: string, runId: string): string {
  return `mlflow-artifacts:/${wireExperimentId}/${runId}/artifacts`;
}

export function experimentArtifactLocation(wireExperimentId: string): string {
  return `mlflow-artifacts:/${wireExperimentId}`;
}

const kv = (m: Readonly<Record<string, string>>) => Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value }));

export function mlflowRunInfo(run: RunFacts, project: string, stage: LifecycleStage) {
  const experimentId = toWireExperimentId(run.experiment_id, project);
  return {
    run_id: run.run_id,
    run_uuid: run.run_id,
    run_name: run.run_name ?? '',
    experiment_id: experimentId,
    user_id: run.user ?? '',
    status: run.status ?? 'RUNNING',
    start_time: run.start_time ?? 0,
    ...(run.end_time === null ? {} : { end_time: run.end_time }),
    artifact_uri: runArtifactUri(experimentId, run.run_id),
    lifecycle_stage: stage,
  };
}

export function mlflowRun(run: RunFacts, project: string, stage: LifecycleStage) {
  return {
    info: mlflowRunInfo(run, project, stage),
    data: {
      metrics: Object.entries(run.metrics).map(([key, m]) => ({ key, value: m.value, timestamp: m.timestamp, step: m.step })),
      params: kv(run.params),
      tags: kv(tagsWithSystemTags(run.tags, run)),
    },
    inputs: {
      dataset_inputs: run.lineage.inputs
        .filter((i) => i.kind === 'dataset')
        .map((i) => ({ tags: [], dataset: { name: i.name, digest: i.digest ?? '', source_type: 'unknown', source: i.version ?? '' } })),
    },
  };
}

export interface ExperimentFacts {
  experiment_id: string;
  name: string | null;
  created_at: number | null;
  last_update_time: number | null;
  lifecycle_stage: string | null;
  tags: Record<string, string>;
}

export function mlflowExperiment(e: ExperimentFacts, project: string) {
  const id = toWireExperimentId(e.experiment_id, project);
  return {
    experiment_id: id,
    name: e.name ?? '',
    artifact_location: experimentArtifactLocation(id),
    lifecycle_stage: e.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    ...(e.last_update_time === null ? {} : { last_update_time: e.last_update_time }),
    ...(e.created_at === null ? {} : { creation_time: e.created_at }),
    tags: kv(e.tags),
  };
}

export function mlflowMetric(key: string, p: { value: JsonNumber; step: number; timestamp: number }, runId?: string) {
  return { key, value: p.value, timestamp: p.timestamp, step: p.step, ...(runId === undefined ? {} : { run_id: runId }) };
}
