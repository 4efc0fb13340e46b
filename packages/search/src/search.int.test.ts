import { PostgresSink } from '@trackstream/postgres';
import { createTestPgSchema, endpointsFromEnv, type TestPgSchema } from '@trackstream/testkit';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { compileSearch, parseFilter, type Comparison, type FilterAst, type Literal, type SearchRequest } from './index';

interface SeedRun {
  id: string;
  exp?: string;
  project?: string;
  status?: string | null;
  name?: string | null;
  user?: string | null;
  start?: number | null;
  end?: number | null;
  params?: Record<string, string>;
  metrics?: Record<string, number>;
  tags?: Record<string, string>;
}

async function seed(pool: Pool, schema: string, runs: SeedRun[]): Promise<void> {
  const s = `"${schema}"`;
  for (const r of runs) {
    await pool.query(
      `INSERT INTO ${s}.runs (run_id, experiment_id, project, status, run_name, user_name, start_time, end_time) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [r.id, r.exp ?? 'e1', r.project ?? 'p1', r.status ?? null, r.name ?? null, r.user ?? null, r.start ?? null, r.end ?? null],
    );
    for (const [k, v] of Object.entries(r.params ?? {})) {
      await pool.query(`INSERT INTO ${s}.params (run_id, key, value, event_id, logged_at) VALUES ($1,$2,$3,$4,0)`, [r.id, k, v, randomUUID()]);
    }
    for (const [k, v] of Object.entries(r.metrics ?? {})) {
      await pool.query(
        `INSERT INTO ${s}.latest_metrics (run_id, key, value, step, "timestamp", min_value, max_value, count) VALUES ($1,$2,$3::float8,0,0,$3::float8,$3::float8,1)`,
        [r.id, k, String(v)],
      );
    }
    for (const [k, v] of Object.entries(r.tags ?? {})) {
      await pool.query(`INSERT INTO ${s}.tags (run_id, key, value) VALUES ($1,$2,$3)`, [r.id, k, v]);
    }
  }
}

const RUNS: SeedRun[] = [
  { id: 'r01', status: 'FINISHED', name: 'alpha', user: 'alice', start: 1000, end: 2000, params: { lr: '0.01', model: 'tree', layers: '3' }, metrics: { acc: 0.95, loss: 0.1 }, tags: { team: 'risk' } },
  { id: 'r02', status: 'FAILED', name: 'beta', user: 'bob', start: 2000, params: { lr: '0.001', model: 'LogisticRegression' }, metrics: { acc: 0.8 }, tags: { team: 'Risk' } },
  { id: 'r03', status: 'RUNNING', start: 3000, params: { lr: '1e-3', model: 'tree' }, metrics: { acc: Number.NaN, loss: 0.5 }, tags: { team: 'fraud' } },
  { id: 'r04', status: 'FINISHED', name: 'gamma', user: 'alice', start: 4000, end: 4500, params: { lr: 'abc', model: "o'brien" }, metrics: { loss: 0.3 } },
  { id: 'r05', status: 'KILLED', name: 'delta-run', user: 'carol', start: 5000, metrics: { acc: 0.92 }, tags: { team: 'risk', 'my tag': 'x y' } },
  { id: 'r06', status: 'FINISHED', name: 'Epsilon', user: 'alice', start: 6000, params: { lr: '0.1', 'model class': 'svm', big: '1e999999' }, metrics: { acc: 0.99 }, tags: { team: 'risk' } },
  { id: 'r07', params: { lr: '0.05' }, metrics: { acc: 0.95 } },
  { id: 'r08', status: 'FINISHED', name: 'zeta', start: 8000, params: { lr: '  0.01', big: '-.5e3' }, metrics: { acc: Number.NEGATIVE_INFINITY } },
  { id: 'r09', exp: 'e2', status: 'FINISHED', start: 9000, metrics: { acc: 0.99 } },
  { id: 'r10', exp: 'e3', project: 'p2', status: 'FINISHED', start: 10000, metrics: { acc: 0.99 } },
];

describe('search over the Postgres projection', () => {
  let db: TestPgSchema;
  let sink: PostgresSink;

  beforeAll(async () => {
    db = await createTestPgSchema('search');
    sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 1 });
    await sink.setup();
    await seed(db.pool, db.schema, RUNS);
  });

  afterAll(async () => {
    await sink?.close();
    await db?.cleanup();
  });

  async function search(req: Partial<SearchRequest>): Promise<{ runIds: string[]; nextPageToken: string | null }> {
    const c = compileSearch({ schema: db.schema, experimentIds: ['e1'], ...req });
    const { rows } = await db.pool.query(c.text, c.values);
    return c.page(rows);
  }
  const ids = async (filter: string, extra: Partial<SearchRequest> = {}) => (await search({ filter, maxResults: 1000, ...extra })).runIds.sort();

  it.each<[string, string[]]>([
    ['', ['r01', 'r02', 'r03', 'r04', 'r05', 'r06', 'r07', 'r08']],
    ['metrics.acc > 0.9', ['r01', 'r05', 'r06', 'r07']],
    ['metrics.acc >= 0.95', ['r01', 'r06', 'r07']],
    ['metrics.acc < 0.9', ['r02', 'r08']],
    ['metrics.acc = 0.95', ['r01', 'r07']],
    ['metrics.acc != 0.95', ['r02', 'r03', 'r05', 'r06', 'r08']],
    ['metrics.loss <= 0.3', ['r01', 'r04']],
    ["params.lr = '0.01'", ['r01']],
    ["params.lr != '0.01'", ['r02', 'r03', 'r04', 'r06', 'r07', 'r08']],
    ['params.lr < 0.01', ['r02', 'r03']],
    ['params.lr = 0.001', ['r02', 'r03']],
    ['params.lr >= 0.05', ['r06', 'r07']],
    ['params.lr != 0.01', ['r02', 'r03', 'r06', 'r07']],
    ['params.big < 0', ['r08']],
    ['params.layers > 2.5e0', ['r01']],
    ["params.model LIKE '%Reg%'", ['r02']],
    ["params.model LIKE '%reg%'", []],
    ["params.model ILIKE '%REG%'", ['r02']],
    ["params.model NOT LIKE 'tr%'", ['r02', 'r04']],
    ["params.model = 'o\\'brien'", ['r04']],
    ["params.model = \"o'brien\"", ['r04']],
    ["params.model IN ('tree', 'svm')", ['r01', 'r03']],
    ["params.model NOT IN ('tree')", ['r02', 'r04']],
    ["params.`model class` = 'svm'", ['r06']],
    ['params."model class" = "svm"', ['r06']],
    ["tags.team = 'risk'", ['r01', 'r05', 'r06']],
    ["tags.team ILIKE 'risk'", ['r01', 'r02', 'r05', 'r06']],
    ["tags.`my tag` = 'x y'", ['r05']],
    ["attributes.status = 'FINISHED'", ['r01', 'r04', 'r06', 'r08']],
    ["attributes.status != 'FINISHED'", ['r02', 'r03', 'r05']],
    ["status IN ('FAILED', 'KILLED')", ['r02', 'r05']],
    ["attributes.run_name LIKE '%a%'", ['r01', 'r02', 'r04', 'r05', 'r08']],
    ["attributes.run_name ILIKE 'e%'", ['r06']],
    ['attributes.start_time >= 3000 AND attributes.start_time < 6000', ['r03', 'r04', 'r05']],
    ['attributes.end_time > 0', ['r01', 'r04']],
    ['attributes.start_time > 2500.5', ['r03', 'r04', 'r05', 'r06', 'r08']],
    ["attributes.user_id = 'alice'", ['r01', 'r04', 'r06']],
    ["attributes.run_id IN ('r01', 'r09')", ['r01']],
    ["attributes.experiment_id = 'e1'", ['r01', 'r02', 'r03', 'r04', 'r05', 'r06', 'r07', 'r08']],
    ["metrics.acc > 0.9 OR params.lr = '0.001'", ['r01', 'r02', 'r05', 'r06', 'r07']],
    ["NOT params.lr = '0.01'", ['r02', 'r03', 'r04', 'r05', 'r06', 'r07', 'r08']],
    ["NOT attributes.status = 'FINISHED'", ['r02', 'r03', 'r05', 'r07']],
    ["NOT (tags.team = 'risk' OR metrics.acc < 0.9)", ['r03', 'r04', 'r07']],
    ["(metrics.acc > 0.9 OR metrics.loss < 0.2) AND attributes.user_id = 'alice'", ['r01', 'r06']],
    ["metrics.acc > 0.9 OR metrics.loss < 0.2 AND attributes.user_id = 'bob'", ['r01', 'r05', 'r06', 'r07']],
    ["params.model = 'x\\' OR \\'1\\'=\\'1'", []],
    ["params.`lr' OR '1'='1` = '0.01'", []],
  ])('%s', async (filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });

  it('scopes by experiments (empty = all) and projects (empty = none)', async () => {
    expect(await ids('metrics.acc >= 0.99', { experimentIds: [] })).toEqual(['r06', 'r09', 'r10']);
    expect(await ids('metrics.acc >= 0.99', { experimentIds: ['e1', 'e3'] })).toEqual(['r06', 'r10']);
    expect(await ids('metrics.acc >= 0.99', { experimentIds: [], projects: ['p1'] })).toEqual(['r06', 'r09']);
    expect(await ids('metrics.acc >= 0.99', { experimentIds: [], projects: [] })).toEqual([]);
  });

  it.each<[string[] | undefined, string[]]>([
    [undefined, ['r08', 'r06', 'r05', 'r04', 'r03', 'r02', 'r01', 'r07']],
    [['attributes.start_time ASC'], ['r01', 'r02', 'r03', 'r04', 'r05', 'r06', 'r08', 'r07']],
    // NaN orders above every number (Postgres); missing values come last in both directions.
    [['metrics.acc DESC'], ['r03', 'r06', 'r01', 'r07', 'r05', 'r02', 'r08', 'r04']],
    [['metrics.acc ASC'], ['r08', 'r02', 'r05', 'r01', 'r07', 'r06', 'r03', 'r04']],
    [['params.model ASC'], ['r02', 'r04', 'r01', 'r03', 'r05', 'r06', 'r07', 'r08']],
    [['params.model DESC'], ['r01', 'r03', 'r04', 'r02', 'r05', 'r06', 'r07', 'r08']],
    [['tags.team DESC', 'metrics.acc DESC'], expect.any(Array) as unknown as string[]],
    [['attributes.end_time DESC', 'attributes.status'], ['r04', 'r01', 'r02', 'r06', 'r08', 'r05', 'r03', 'r07']],
    [['metrics.loss ASC', 'attributes.start_time DESC'], ['r01', 'r04', 'r03', 'r08', 'r06', 'r05', 'r02', 'r07']],
    [['attributes.run_id DESC'], ['r08', 'r07', 'r06', 'r05', 'r04', 'r03', 'r02', 'r01']],
    [['metrics.acc ASC', 'run_id DESC', 'metrics.loss'], ['r08', 'r02', 'r05', 'r07', 'r01', 'r06', 'r03', 'r04']],
  ])('order_by %j', async (orderBy, expected) => {
    const all = (await search({ orderBy, maxResults: 1000 })).runIds;
    expect(all).toEqual(expected);
    // Paging through two at a time gives the same sequence, without duplicates or gaps.
    const paged: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const res: { runIds: string[]; nextPageToken: string | null } = await search({ orderBy, maxResults: 2, pageToken: token ?? undefined });
      paged.push(...res.runIds);
      token = res.nextPageToken;
      expect(++pages).toBeLessThanOrEqual(5);
    } while (token);
    expect(paged).toEqual(all);
  });

  it('300 random filters (OR/NOT/parentheses, all prefixes and operators) match a reference evaluation', async () => {
    const rnd = mulberry32(20261123);
    const e1 = RUNS.filter((r) => (r.exp ?? 'e1') === 'e1');
    for (let i = 0; i < 300; i++) {
      const ast = randomAst(rnd, 3);
      const filter = render(rnd, ast);
      expect(withoutPositions(parseFilter(filter))).toEqual(ast);
      const expected = e1.filter((r) => evaluate(ast, r)).map((r) => r.id).sort();
      const got = await ids(filter);
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`filter ${filter}: got ${got}, expected ${expected}`);
    }
  });

  it('a forged page token is a PAGE_TOKEN_INVALID error, never a SQL error', async () => {
    const first = await search({ orderBy: ['metrics.acc DESC'], maxResults: 2 });
    const body = JSON.parse(Buffer.from(first.nextPageToken!, 'base64url').toString());
    for (const k of ['1e999', '1e-400', 'abc']) {
      const forged = Buffer.from(JSON.stringify({ ...body, k: [k] })).toString('base64url');
      await expect(search({ orderBy: ['metrics.acc DESC'], maxResults: 2, pageToken: forged })).rejects.toMatchObject({ code: 'PAGE_TOKEN_INVALID' });
    }
    // Values Postgres itself printed are accepted back.
    for (const k of ['NaN', '-Infinity', '1e-300', '0', '-0.5']) {
      const token = Buffer.from(JSON.stringify({ ...body, k: [k] })).toString('base64url');
      await expect(search({ orderBy: ['metrics.acc DESC'], maxResults: 2, pageToken: token })).resolves.toBeDefined();
    }
  });
});

describe('pagination while runs are being added', () => {
  let db: TestPgSchema;
  let sink: PostgresSink;

  beforeAll(async () => {
    db = await createTestPgSchema('searchpage');
    sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 1 });
    await sink.setup();
  });

  afterAll(async () => {
    await sink?.close();
    await db?.cleanup();
  });

  // Values repeat and some are missing so ties and NULLS LAST are crossed by page boundaries.
  const runAt = (i: number, tag: string): SeedRun => ({
    id: `${tag}-${String(i).padStart(3, '0')}`,
    start: (i % 7) * 1000,
    ...(i % 5 === 0 ? {} : { metrics: { acc: (i % 4) / 4 } }),
    ...(i % 3 === 0 ? {} : { params: { lr: String((i % 6) / 100) } }),
  });

  it.each([['metrics.acc DESC'], ['metrics.acc ASC'], ['params.lr DESC', 'metrics.acc ASC'], ['attributes.start_time DESC']])(
    'order_by %s: every run present at the start is seen exactly once',
    async (...orderBy: string[]) => {
      const tag = orderBy.join('').replace(/[^a-z]/gi, '').toLowerCase();
      const initial = Array.from({ length: 40 }, (_, i) => runAt(i, `${tag}a`));
      await seed(db.pool, db.schema, initial);
      const seen: string[] = [];
      let token: string | undefined;
      let page = 0;
      for (;;) {
        const c = compileSearch({ schema: db.schema, experimentIds: ['e1'], filter: `attributes.run_id LIKE '${tag}%'`, orderBy, maxResults: 3, pageToken: token });
        const { rows } = await db.pool.query(c.text, c.values);
        const res = c.page(rows);
        seen.push(...res.runIds);
        if (!res.nextPageToken) break;
        token = res.nextPageToken;
        // New runs land everywhere in the order (before, at and after the cursor) between pages.
        await seed(db.pool, db.schema, [runAt(page * 3, `${tag}b${page}`), runAt(page * 3 + 1, `${tag}b${page}`), runAt(page * 3 + 2, `${tag}b${page}`)]);
        expect(++page).toBeLessThan(100);
      }
      expect(new Set(seen).size).toBe(seen.length);
      const initialIds = initial.map((r) => r.id);
      expect(seen.filter((id) => initialIds.includes(id)).sort()).toEqual(initialIds.sort());
    },
  );
});

// ---- reference evaluation for the random-filter test ----

function withoutPositions(ast: FilterAst): FilterAst {
  switch (ast.kind) {
    case 'and':
    case 'or':
      return { kind: ast.kind, items: ast.items.map(withoutPositions) };
    case 'not':
      return { kind: 'not', item: withoutPositions(ast.item) };
    case 'comparison':
      return { ...ast, position: 0 };
    default:
      return ast;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const num = (n: number): Literal => ({ type: 'number', value: n, text: String(n) });
const str = (v: string): Literal => ({ type: 'string', value: v });

function randomComparison(rnd: () => number): Comparison {
  const c = (entity: Comparison['entity'], key: string, op: Comparison['op'], value: Comparison['value']): Comparison => ({ kind: 'comparison', entity, key, op, value, position: 0 });
  const numOps = ['=', '!=', '<', '<=', '>', '>='] as const;
  switch (Math.floor(rnd() * 6)) {
    case 0:
      return c('metric', pick(rnd, ['acc', 'loss', 'nope']), pick(rnd, numOps), num(pick(rnd, [-1, 0, 0.1, 0.3, 0.5, 0.8, 0.92, 0.95, 0.99, 1])));
    case 1:
      return c('param', pick(rnd, ['lr', 'big', 'layers', 'nope']), pick(rnd, numOps), num(pick(rnd, [0.001, 0.01, 0.05, 0.1, 3, 0, -500])));
    case 2: {
      const entity = pick(rnd, ['param', 'tag'] as const);
      const key = entity === 'param' ? pick(rnd, ['lr', 'model', 'model class', 'nope']) : pick(rnd, ['team', 'my tag', 'nope']);
      const values = ['0.01', 'tree', 'LogisticRegression', "o'brien", 'svm', 'risk', 'Risk', 'fraud', 'x y', 'zzz'];
      const op = pick(rnd, ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IN', 'NOT IN'] as const);
      if (op === 'IN' || op === 'NOT IN') return c(entity, key, op, [str(pick(rnd, values)), str(pick(rnd, values))]);
      if (op.includes('LIKE')) return c(entity, key, op, str(pick(rnd, ['%isk', 'r%', '%e%', '_isk', 'tree', '%', '0.0_'])));
      return c(entity, key, op, str(pick(rnd, values)));
    }
    case 3: {
      const key = pick(rnd, ['status', 'run_name', 'user_id']);
      const values = { status: ['FINISHED', 'FAILED', 'KILLED', 'RUNNING'], run_name: ['alpha', 'Epsilon', 'zeta', 'nope'], user_id: ['alice', 'bob', 'carol'] }[key]!;
      const op = pick(rnd, ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'] as const);
      if (op === 'IN' || op === 'NOT IN') return c('attribute', key, op, [str(pick(rnd, values)), str(pick(rnd, values))]);
      if (op.includes('LIKE')) return c('attribute', key, op, str(pick(rnd, ['%a%', 'A%', '%E%', '_eta'])));
      return c('attribute', key, op, str(pick(rnd, values)));
    }
    default:
      return c('attribute', pick(rnd, ['start_time', 'end_time']), pick(rnd, numOps), num(pick(rnd, [0, 2000, 3000, 4500, 5500, 8000])));
  }
}

function randomAst(rnd: () => number, depth: number): FilterAst {
  const r = rnd();
  if (depth === 0 || r < 0.4) return randomComparison(rnd);
  if (r < 0.55) return { kind: 'not', item: randomAst(rnd, depth - 1) };
  const items = Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => randomAst(rnd, depth - 1));
  return { kind: r < 0.8 ? 'and' : 'or', items };
}

function render(rnd: () => number, ast: FilterAst): string {
  const kw = (w: string) => (rnd() < 0.5 ? w : w.toLowerCase());
  const wrap = (a: FilterAst) => (a.kind === 'comparison' ? render(rnd, a) : `(${render(rnd, a)})`);
  switch (ast.kind) {
    case 'all':
      return '';
    case 'not':
      return `${kw('NOT')} ${wrap(ast.item)}`;
    case 'and':
    case 'or':
      return ast.items.map(wrap).join(` ${kw(ast.kind.toUpperCase())} `);
    case 'comparison': {
      const prefixes = { metric: ['metrics', 'metric'], param: ['params', 'param'], tag: ['tags', 'tag'], attribute: ['attributes', 'attr', 'run'] }[ast.entity];
      const key = /^[a-z_]+$/.test(ast.key) && rnd() < 0.6 ? ast.key : pick(rnd, ['`', '"']) === '`' ? `\`${ast.key}\`` : `"${ast.key}"`;
      const lit = (l: Literal) => (l.type === 'number' ? l.text : `'${l.value.replace(/[\\']/g, (ch) => '\\' + ch)}'`);
      const value = Array.isArray(ast.value) ? `(${ast.value.map(lit).join(', ')})` : lit(ast.value);
      return `${pick(rnd, prefixes)}.${key} ${kw(ast.op)} ${value}`;
    }
  }
}

const NUMERIC = /^-?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]{1,3})?$/;
const likeRegex = (pattern: string, flags: string) => new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, flags + 's');

function compareNumbers(a: number, op: string, b: number): boolean {
  // Postgres float8: NaN is equal to itself and above every number; the compiler keeps NaN out of > and >=.
  if (Number.isNaN(a)) return op === '!=';
  return { '=': a === b, '!=': a !== b, '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[op]!;
}

function compareText(v: string, c: Comparison): boolean {
  if (Array.isArray(c.value)) {
    const inList = c.value.some((l) => l.type === 'string' && l.value === v);
    return c.op === 'IN' ? inList : !inList;
  }
  const lit = c.value;
  if (lit.type === 'number') return NUMERIC.test(v) && compareNumbers(Number(v), c.op, lit.value);
  switch (c.op) {
    case '=':
      return v === lit.value;
    case '!=':
      return v !== lit.value;
    case 'LIKE':
      return likeRegex(lit.value, '').test(v);
    case 'ILIKE':
      return likeRegex(lit.value, 'i').test(v);
    case 'NOT LIKE':
      return !likeRegex(lit.value, '').test(v);
    case 'NOT ILIKE':
      return !likeRegex(lit.value, 'i').test(v);
    default:
      throw new Error(`unused in the random filters: ${c.op}`);
  }
}

function evaluate(ast: FilterAst, r: SeedRun): boolean {
  switch (ast.kind) {
    case 'all':
      return true;
    case 'and':
      return ast.items.every((i) => evaluate(i, r));
    case 'or':
      return ast.items.some((i) => evaluate(i, r));
    case 'not':
      return !evaluate(ast.item, r);
    case 'comparison': {
      if (ast.entity === 'metric') {
        const v = r.metrics?.[ast.key];
        return v !== undefined && compareNumbers(v, ast.op, (ast.value as Literal & { type: 'number' }).value);
      }
      if (ast.entity === 'param' || ast.entity === 'tag') {
        const v = (ast.entity === 'param' ? r.params : r.tags)?.[ast.key];
        return v !== undefined && compareText(v, ast);
      }
      const attr = { status: r.status, run_name: r.name, user_id: r.user, start_time: r.start, end_time: r.end }[ast.key];
      if (attr === null || attr === undefined) return false;
      return typeof attr === 'number' ? compareNumbers(attr, ast.op, (ast.value as Literal & { type: 'number' }).value) : compareText(attr, ast);
    }
  }
}
