import { decodeOffsetToken, invalid, notFound, pageOf, proto, runArtifactUri, toWireExperimentId } from '@trackstream/mlflow-protocol';
import type { Caller } from './auth';
import type { Tracking } from './tracking';

type Message = proto.Message;
export const ARTIFACTS_PAGE = 1000;

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** The direct children of `dir` in a run's artifact tree (logged paths; directories are implied by them). */
export function listDirectory(paths: readonly { path: string; size_bytes: number | null }[], dir: string): FileInfo[] {
  const prefix = dir === '' ? '' : `${dir.replace(/\/+$/, '')}/`;
  const out = new Map<string, FileInfo>();
  for (const a of paths) {
    if (!a.path.startsWith(prefix) || a.path === prefix) continue;
    const rest = a.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) out.set(a.path, { path: a.path, is_dir: false, ...(a.size_bytes === null ? {} : { file_size: a.size_bytes }) });
    else out.set(prefix + rest.slice(0, slash), { path: prefix + rest.slice(0, slash), is_dir: true });
  }
  return [...out.values()].sort((x, y) => (x.path < y.path ? -1 : 1));
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
