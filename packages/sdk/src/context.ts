import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filterEnv, redactArgv, scrubValue } from './secrets';
import { LIMITS } from './wire';

export interface RunSource {
  git_commit: string | null;
  git_branch: string | null;
  git_dirty: boolean | null;
  entry_point: string | null;
  host: string | null;
}

export interface CapturedContext {
  source: RunSource;
  user: string | null;
  context: Record<string, string>;
}

export interface CaptureOptions {
  cwd: string;
  argv: readonly string[];
  /** The environment to record (the caller passes process.env; the library never reads it). Secrets are left out. */
  env?: Record<string, string | undefined>;
  git: boolean;
  /** Longest value kept in the context map (longer values are cut, with a marker). */
  maxValueLength?: number;
}

const MAX_DEPENDENCIES = 300;
const MAX_CONTEXT_ENTRIES = 1000;

function cut(v: string, max: number): string {
  return v.length > max ? `${v.slice(0, max - 12)}…[truncated]` : v;
}

/** Everything needed to reproduce a run, captured once at start. Never throws: a missing piece is null. */
export async function captureRunContext(opts: CaptureOptions): Promise<CapturedContext> {
  const max = opts.maxValueLength ?? LIMITS.paramValueLength;
  const entry = opts.argv[1] ? path.resolve(opts.cwd, opts.argv[1]) : null;
  const git = opts.git ? await gitInfo(entry ? path.dirname(entry) : opts.cwd) : null;
  const context: Record<string, string> = {};
  const put = (k: string, v: string) => {
    if (k.length > LIMITS.keyLength || Object.keys(context).length >= MAX_CONTEXT_ENTRIES) return;
    context[k] = cut(v, max);
  };
  put('argv', JSON.stringify(redactArgv(opts.argv.slice(1))));
  put('node_version', process.version);
  put('platform', `${process.platform}-${process.arch}`);
  put('pid', String(process.pid));
  put('cwd', opts.cwd);
  const pkg = nearestPackageJson(entry ? path.dirname(entry) : opts.cwd) ?? nearestPackageJson(opts.cwd);
  if (pkg) {
    put('package', `${pkg.json.name ?? path.basename(pkg.dir)}@${pkg.json.version ?? '0.0.0'}`);
    for (const [name, version] of dependencyVersions(pkg.dir, pkg.json)) put(`dep.${name}`, version);
  }
  if (opts.env) for (const [k, v] of Object.entries(filterEnv(opts.env))) put(`env.${k}`, v);
  let entryPoint: string | null = null;
  if (entry) entryPoint = git?.root && entry.startsWith(git.root + path.sep) ? path.relative(git.root, entry) : entry;
  return {
    source: {
      git_commit: git?.commit ? cut(git.commit, LIMITS.keyLength) : null,
      git_branch: git?.branch ? cut(git.branch, LIMITS.keyLength) : null,
      git_dirty: git?.dirty ?? null,
      entry_point: entryPoint === null ? null : cut(entryPoint, LIMITS.tagValueLength),
      host: cut(os.hostname(), LIMITS.keyLength),
    },
    user: ((u) => (u === null ? null : cut(u, LIMITS.keyLength)))(currentUser()),
    context,
  };
}

function currentUser(): string | null {
  try {
    return os.userInfo().username;
  } catch {
    return null;
  }
}

interface GitInfo {
  root: string | null;
  commit: string | null;
  branch: string | null;
  dirty: boolean | null;
}

async function gitInfo(cwd: string): Promise<GitInfo | null> {
  const root = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (root === null) return null;
  const [commit, branch, status] = await Promise.all([
    git(cwd, ['rev-parse', 'HEAD']),
    git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']),
    git(cwd, ['status', '--porcelain', '--untracked-files=no']),
  ]);
  return { root, commit, branch: branch === 'HEAD' ? null : branch, dirty: status === null ? null : status.length > 0 };
}

function git(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['-C', cwd, ...args], { timeout: 3000, windowsHide: true }, (err, stdout) => {
      resolve(err ? null : stdout.trim());
    });
  });
}

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export function nearestPackageJson(from: string): { dir: string; json: PackageJson } | null {
  let dir = path.resolve(from);
  for (;;) {
    const file = path.join(dir, 'package.json');
    try {
      return { dir, json: JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson };
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return null;
      dir = parent;
    }
  }
}

/** Installed versions of the package's declared dependencies (the declared range when not installed). */
export function dependencyVersions(dir: string, json: PackageJson): [string, string][] {
  const declared = { ...json.optionalDependencies, ...json.devDependencies, ...json.dependencies };
  const out: [string, string][] = [];
  for (const name of Object.keys(declared).sort().slice(0, MAX_DEPENDENCIES)) {
    out.push([name, installedVersion(dir, name) ?? scrubValue(declared[name] ?? '')]);
  }
  return out;
}

function installedVersion(from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')) as PackageJson;
      return pkg.version ?? null;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return null;
      dir = parent;
    }
  }
}
