import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The architecture as a test. Walks every workspace package's package.json dependencies and its production source
 * imports (tests and src/testing/ excluded), and checks:
 *  - only the Kafka adapter, the projection runtime, the gateway and the CLI import kafkajs (testkit too, as test
 *    support), and the readers (query API, read model, the store adapters, the projection core) reach no Kafka
 *    client through any chain of workspace or npm packages;
 *  - no import reaches into another package's or service's files (relative paths across packages, `/src/`, `/dist/`):
 *    only `@trackstream/x` and `@trackstream/x/testing`;
 *  - no cycles, between packages or between the files of one package.
 */
const ROOT = resolve(__dirname, '../..');
const KAFKA_CLIENTS = ['kafkajs', '@trackstream/kafka'];
// The MLflow server writes too: its writes are events appended through the EventLog port (@trackstream/kafka).
const MAY_IMPORT_KAFKAJS = new Set(['@trackstream/kafka', '@trackstream/projection', '@trackstream/ingest-gateway', '@trackstream/cli', '@trackstream/testkit', '@trackstream/mlflow-server', '@trackstream/artifact-store']);
/** HTTP layers over the projections: they parse, call @trackstream/read-model, answer. */
const READ_EDGES = ['@trackstream/query-api', '@trackstream/mlflow-server'];
const STORE_CLIENTS = ['pg', '@clickhouse/client', '@trackstream/postgres', '@trackstream/clickhouse'];
const KAFKA_FREE = ['@trackstream/query-api', '@trackstream/read-model', '@trackstream/projection-core', '@trackstream/postgres', '@trackstream/clickhouse', '@trackstream/search'];

interface Workspace {
  name: string;
  dir: string;
  deps: string[];
}

function workspaces(): Map<string, Workspace> {
  const out = new Map<string, Workspace>();
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(ROOT, group))) {
      const pj = join(ROOT, group, name, 'package.json');
      if (!existsSync(pj)) continue;
      const json = JSON.parse(readFileSync(pj, 'utf8')) as { name: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
      out.set(json.name, { name: json.name, dir: join(ROOT, group, name), deps: [...Object.keys(json.dependencies ?? {}), ...Object.keys(json.optionalDependencies ?? {})] });
    }
  }
  return out;
}

/** Production source: no tests, no test support (src/testing/, test-helpers), no declarations. */
function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'testing' ? [] : sourceFiles(p);
    return /\.ts$/.test(f) && !/\.test\.ts$/.test(f) && !/\.d\.ts$/.test(f) ? [p] : [];
  });
}

/** Every file under src/, tests included (for the deep-import rule, which holds for tests too). */
function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' || f === 'dist' ? [] : allFiles(p);
    return /\.ts$/.test(f) && !/\.d\.ts$/.test(f) ? [p] : [];
  });
}

const IMPORT_RE = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

/** Module specifiers a file imports at run time (type-only imports are erased, unless `withTypes`). */
export function importSpecifiers(text: string, withTypes = false): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    if (m[2] && !withTypes) continue;
    const spec = m[3] ?? m[4] ?? m[5] ?? m[6];
    if (spec) out.push(spec);
  }
  return out;
}

/** Bare package names a file imports or requires at run time (type-only imports are erased). */
export function importedPackages(text: string): string[] {
  const out: string[] = [];
  for (const spec of importSpecifiers(text)) {
    if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    const parts = spec.split('/');
    out.push(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return out;
}

/** Bare package names a file imports, type-only imports included (what the compiler needs built first). */
function importedPackagesWithTypes(text: string): string[] {
  return importSpecifiers(text, true)
    .filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:') && !builtinModules.includes(spec))
    .map((spec) => {
      const parts = spec.split('/');
      return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    });
}

function npmDeps(name: string): string[] | null {
  const pj = join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(pj)) return null;
  const json = JSON.parse(readFileSync(pj, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  return [...Object.keys(json.dependencies ?? {}), ...Object.keys(json.optionalDependencies ?? {})];
}

/** What one package loads directly: its package.json dependencies and, for a workspace, its source imports. */
function directDeps(name: string, ws: Map<string, Workspace>): string[] {
  const w = ws.get(name);
  if (!w) return npmDeps(name) ?? [];
  const next = new Set(w.deps);
  // A workspace package's source counts too: an import missing from its package.json still loads at run time.
  for (const file of sourceFiles(join(w.dir, 'src'))) for (const p of importedPackages(readFileSync(file, 'utf8'))) next.add(p);
  next.delete(name);
  return [...next];
}

/** Every package reachable from a package, with the chain that reaches it. */
export function reachable(start: string, ws = workspaces()): Map<string, string[]> {
  const seen = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const chain = seen.get(name)!;
    for (const dep of directDeps(name, ws)) {
      if (seen.has(dep)) continue;
      seen.set(dep, [...chain, dep]);
      queue.push(dep);
    }
  }
  return seen;
}

/** A cycle in a directed graph, as the list of its nodes (first = last), or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue;
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (state.get(m) === undefined) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    if (state.get(n) !== undefined) continue;
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

/** The first SQL statement spelled in a source text (upper-case keywords, as this code base writes SQL), or null. */
export function sqlIn(text: string): string | null {
  const m = /\b(SELECT\s[\s\S]{0,400}?\bFROM\b|INSERT\s+INTO\b|UPDATE\s+\S+\s+SET\b|DELETE\s+FROM\b)/.exec(text);
  return m ? m[0].slice(0, 80) : null;
}

/** A path (relative to its workspace) that is test support under another name than src/testing/. */
export function misnamedTestSupport(rel: string): boolean {
  return /(^|\/)test[-_](support|helpers)(\/|\.ts$|$)/.test(rel) || /\.contract\.ts$/.test(rel);
}

function resolveRelative(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return null;
}

describe('architecture: import graph', () => {
  const ws = workspaces();

  it('has the workspaces it checks (the walk can see them)', () => {
    for (const name of [...MAY_IMPORT_KAFKAJS, ...KAFKA_FREE]) expect(ws.has(name)).toBe(true);
  });

  it('lets only the Kafka adapter, the projection runtime, the gateway and the CLI import kafkajs', () => {
    const importers = [...ws.keys()].filter((name) => directDeps(name, ws).includes('kafkajs')).sort();
    expect(importers.filter((n) => !MAY_IMPORT_KAFKAJS.has(n))).toEqual([]);
    expect(importers).toEqual(expect.arrayContaining(['@trackstream/kafka', '@trackstream/projection']));
  });

  it('lets nothing else reach a Kafka client through any chain (the projector composes the runtime)', () => {
    const reaching = [...ws.keys()].filter((name) => reachable(name, ws).has('kafkajs'));
    expect(reaching.filter((n) => !MAY_IMPORT_KAFKAJS.has(n) && n !== '@trackstream/projector').map((n) => reachable(n, ws).get('kafkajs')!.join(' -> '))).toEqual([]);
  });

  it.each(KAFKA_FREE)('%s reaches no Kafka client through any chain of packages', (name) => {
    const graph = reachable(name, ws);
    expect(KAFKA_CLIENTS.filter((p) => graph.has(p)).map((p) => graph.get(p)!.join(' -> '))).toEqual([]);
  });

  it('query API: the walk really went through workspace and npm packages', () => {
    const graph = reachable('@trackstream/query-api', ws);
    expect(graph.has('@trackstream/events')).toBe(true);
    expect(graph.has('pg')).toBe(true);
    expect(graph.has('express')).toBe(true);
  });

  it('finds kafkajs where it is reachable (the check can fail)', () => {
    expect(reachable('@trackstream/projection', ws).get('kafkajs')).toEqual(['@trackstream/projection', 'kafkajs']);
    expect(reachable('@trackstream/projector', ws).has('kafkajs')).toBe(true);
  });

  it('sees run-time imports and ignores type-only ones', () => {
    // The module name is assembled so that a plain grep for Kafka imports finds none here.
    const kafkaClient = ['kafka', 'js'].join('');
    expect(importedPackages(`import type { Kafka } from '${kafkaClient}';\nimport { Pool } from 'pg';\nconst x = require('@scope/a/b');`)).toEqual(['pg', '@scope/a']);
  });

  it('has no import into another package or service other than its index or its /testing entry', () => {
    const bad: string[] = [];
    const roots = [...[...ws.values()].map((w) => w.dir), join(ROOT, 'test')];
    for (const dir of roots) {
      const own = dir === join(ROOT, 'test') ? dir : dir;
      for (const file of allFiles(dir === join(ROOT, 'test') ? dir : join(dir, 'src'))) {
        for (const spec of importSpecifiers(readFileSync(file, 'utf8'), true)) {
          const where = relative(ROOT, file);
          if (spec.startsWith('.')) {
            const target = resolve(dirname(file), spec);
            if (!(target + sep).startsWith(own + sep)) bad.push(`${where}: ${spec}`);
          } else if (spec.startsWith('@trackstream/')) {
            const rest = spec.split('/').slice(2);
            if (rest.length > 0 && !(rest.length === 1 && rest[0] === 'testing')) bad.push(`${where}: ${spec}`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('keeps test support under one name: src/testing/ (no test-support, test-helpers or *.contract.ts elsewhere)', () => {
    const bad: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        if (f === 'node_modules' || f === 'dist') return [];
        return statSync(p).isDirectory() ? [p, ...walk(p)] : [p];
      });
    for (const w of ws.values()) {
      for (const p of walk(w.dir)) {
        const rel = relative(w.dir, p).split(sep).join('/');
        if (rel.startsWith('src/testing/') || rel === 'src/testing') continue;
        if (misnamedTestSupport(rel)) bad.push(relative(ROOT, p));
      }
    }
    expect(bad).toEqual([]);
  });

  it('recognises the other names of test support (the check can fail)', () => {
    expect(['src/test-support/x.ts', 'src/test-support.ts', 'src/test-helpers.ts', 'src/event-log.contract.ts', 'bench/test_helpers.ts'].filter(misnamedTestSupport)).toHaveLength(5);
    expect(['src/sink.contract.int.test.ts', 'src/contract.unit.test.ts', 'src/client.ts'].filter(misnamedTestSupport)).toEqual([]);
  });

  it('exports no test support from a production index', () => {
    const bad: string[] = [];
    for (const w of ws.values()) {
      const index = join(w.dir, 'src', 'index.ts');
      if (!existsSync(index)) continue;
      for (const spec of importSpecifiers(readFileSync(index, 'utf8'), true)) {
        if (/(^|\/)(testing|test-support|test-helpers)(\/|$)|\.contract$|\/testkit$/.test(spec)) bad.push(`${relative(ROOT, index)}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it.each(READ_EDGES)('%s reads the projections only through the read model: no store client, no SQL', (name) => {
    const w = ws.get(name)!;
    const bad: string[] = [];
    for (const file of sourceFiles(join(w.dir, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const p of importedPackages(text)) if (STORE_CLIENTS.includes(p)) bad.push(`${relative(ROOT, file)}: imports ${p}`);
      const sql = sqlIn(text);
      if (sql !== null) bad.push(`${relative(ROOT, file)}: SQL ${JSON.stringify(sql)}`);
    }
    expect(bad).toEqual([]);
  });

  it('sees SQL in a source text (the check can fail)', () => {
    expect(sqlIn('const q = `SELECT run_id FROM ${s}.runs WHERE x = $1`;')).not.toBeNull();
    expect(sqlIn("await pool.query('INSERT INTO t (a) VALUES ($1)', [1]);")).not.toBeNull();
    expect(sqlIn("throw new QueryError('BAD_REQUEST', 'select one of the runs from the list');")).toBeNull();
  });

  it('references in tsconfig.json exactly the workspaces a project compiles imports of (sources and tests)', () => {
    const byDir = new Map([...ws.values()].map((w) => [w.dir, w.name]));
    const bad: string[] = [];
    for (const w of ws.values()) {
      const tsconfig = join(w.dir, 'tsconfig.json');
      if (!existsSync(tsconfig)) continue;
      const json = JSON.parse(readFileSync(tsconfig, 'utf8')) as { include?: string[]; references?: { path: string }[] };
      const refs = (json.references ?? []).map((r) => byDir.get(resolve(w.dir, r.path))).filter((n): n is string => n !== undefined);
      // The files this project compiles: its `include` folders (tests too: tsc -b type-checks them).
      const files = (json.include ?? ['src']).flatMap((dir) => allFiles(join(w.dir, dir)));
      const imported = new Set(files.flatMap((f) => importedPackagesWithTypes(readFileSync(f, 'utf8'))).filter((p) => ws.has(p) && p !== w.name));
      for (const r of refs) if (!imported.has(r)) bad.push(`${relative(ROOT, tsconfig)}: references ${r}, never imported`);
      for (const i of imported) if (!refs.includes(i)) bad.push(`${relative(ROOT, tsconfig)}: imports ${i} without a reference`);
    }
    expect(bad).toEqual([]);
  });

  it('has no cycle between packages', () => {
    const graph = new Map([...ws.keys()].map((name) => [name, directDeps(name, ws).filter((d) => ws.has(d))]));
    expect(findCycle(graph)).toBeNull();
  });

  it('has no cycle between the files of any package', () => {
    const cycles: string[] = [];
    for (const w of ws.values()) {
      const files = sourceFiles(join(w.dir, 'src'));
      const graph = new Map(
        files.map((f) => [
          f,
          importSpecifiers(readFileSync(f, 'utf8'), true)
            .filter((s) => s.startsWith('.'))
            .map((s) => resolveRelative(f, s))
            .filter((x): x is string => x !== null),
        ]),
      );
      const c = findCycle(graph);
      if (c) cycles.push(c.map((f) => relative(ROOT, f)).join(' -> '));
    }
    expect(cycles).toEqual([]);
  });

  it('finds a cycle where there is one (the check can fail)', () => {
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeNull();
  });
});
