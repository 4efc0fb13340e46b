import type { ArtifactView } from '@trackstream/read-model';

/** One entry of a directory listing, in MLflow's FileInfo shape (file_size only for files). */
export interface ArtifactEntry {
  path: string;
  is_dir: boolean;
  file_size?: number;
  sha256?: string;
  media_type?: string;
}

export interface ArtifactListing {
  /** The listed directory ('' for the root). */
  root: string;
  files: ArtifactEntry[];
}

/**
 * The direct children of `dir` (null: the root) among a run's artifacts (all at or under `dir/`): files as
 * themselves, deeper paths folded into their first directory below `dir`. A file whose path is `dir` itself lists
 * nothing (MLflow lists a file path as empty). Sorted by path.
 */
export function listChildren(dir: string | null, artifacts: readonly ArtifactView[]): ArtifactListing {
  const base = dir === null ? '' : `${dir}/`;
  const byPath = new Map<string, ArtifactEntry>();
  for (const a of artifacts) {
    if (!a.path.startsWith(base) || a.path === dir) continue;
    const rest = a.path.slice(base.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      byPath.set(a.path, {
        path: a.path,
        is_dir: false,
        ...(a.size_bytes === null ? {} : { file_size: a.size_bytes }),
        ...(a.sha256 === null ? {} : { sha256: a.sha256 }),
        ...(a.media_type === null ? {} : { media_type: a.media_type }),
      });
    } else {
      const p = base + rest.slice(0, slash);
      if (!byPath.has(p)) byPath.set(p, { path: p, is_dir: true });
    }
  }
  return { root: dir ?? '', files: [...byPath.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)) };
}
