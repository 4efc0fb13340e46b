import { listChildren } from '@trackstream/artifacts';
import { decodeOffsetToken, invalid, notFound, pageOf, proto, runArtifactUri, toWireExperimentId } from '@trackstream/mlflow-protocol';
import type { Caller } from './auth';
import type { ArtifactView } from '@trackstream/read-model';
import type { Tracking } from './tracking';

type Message = proto.Message;
export const ARTIFACTS_PAGE = 1000;

/** MLflow's FileInfo: path relative to the run's artifact root, file_size only for files. */
export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** The direct children of `dir` in a run's artifact tree, by the artifact store's tree rule, in MLflow's shape. */
export function listDirectory(artifacts: readonly ArtifactView[], dir: string): FileInfo[] {
  const trimmed = dir.replace(/\/+$/, '');
  return listChildren(trimmed === '' ? null : trimmed, artifacts).files.map((f) => ({ path: f.path, is_dir: f.is_dir, ...(f.file_size === undefined ? {} : { file_size: f.file_size }) }));
}

export async function listArtifacts(t: Tracking, caller: Caller, m: Message) {
  const runId = proto.reqString(m, 'run_id', 'run_uuid');
  const dir = proto.optString(m, 'path') ?? '';
  if (dir.split('/').includes('..') || dir.startsWith('/')) throw invalid(`Invalid path '${dir.slice(0, 200)}': it must be relative and stay inside the run's artifacts`);
  const [run] = await t.o.readModel.loadRuns([runId], [caller.project]);
  if (run === undefined) throw notFound(`Run with id=${runId} not found`);
  const query = { runId, dir };
  const offset = decodeOffsetToken(proto.optString(m, 'page_token'), query);
  const page = pageOf(listDirectory(run.artifacts, dir), offset, ARTIFACTS_PAGE, query);
  return {
    root_uri: runArtifactUri(toWireExperimentId(run.experiment_id, caller.project), runId),
    files: page.items,
    ...(page.nextPageToken === null ? {} : { next_page_token: page.nextPageToken }),
  };
}
