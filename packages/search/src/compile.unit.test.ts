import { compileSearch, SearchError, type SearchRequest } from './index';

const base: SearchRequest = { schema: 'proj', experimentIds: ['e1'] };

function errorOf(fn: () => unknown): SearchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SearchError) return e;
    throw e;
  }
  throw new Error('expected a SearchError');
}

describe('compileSearch', () => {
  it('filters by lifecycle stage (MLflow run_view_type) and a page token of one view is refused in another', () => {
    expect(compileSearch({ ...base, lifecycle: 'active' }).text).toContain(`r.lifecycle_stage IS DISTINCT FROM 'deleted'`);
    expect(compileSearch({ ...base, lifecycle: 'deleted' }).text).toContain(`r.lifecycle_stage = 'deleted'`);
    expect(compileSearch(base).text).not.toContain('lifecycle_stage');
    const first = compileSearch({ ...base, lifecycle: 'active', maxResults: 1 }).page([{ run_id: 'a', k0: '1' }, { run_id: 'b', k0: '2' }]);
    expect(first.nextPageToken).not.toBeNull();
    expect(errorOf(() => compileSearch({ ...base, lifecycle: 'deleted', maxResults: 1, pageToken: first.nextPageToken! })).code).toBe('PAGE_TOKEN_INVALID');
  });

  it('binds every value and key; the default order is start_time DESC then run_id', () => {
    const c = compileSearch({ ...base, filter: "metrics.acc > 0.9 AND params.lr = '0.01' AND tags.team = 'risk' AND attributes.status = 'FINISHED'" });
    expect(c.text).toContain('ORDER BY r.start_time DESC NULLS LAST, r.run_id ASC');
    expect(c.text).toContain('LIMIT 101');
    expect(c.pageSize).toBe(100);
    expect(c.values).toEqual([['e1'], 'acc', 0.9, 'lr', '0.01', 'team', 'risk', 'FINISHED']);
    for (const v of ['acc', 'lr', 'risk', 'FINISHED', '0.9']) expect(c.text).not.toContain(v);
  });

  it('writes param and tag equality so the left(value, 200) index applies', () => {
    const c = compileSearch({ ...base, filter: "params.lr = '0.01'" });
    expect(c.text).toContain('left(x.value, 200) = left($3::text, 200) AND x.value = $3::text');
  });

  it('compares params numerically behind a guarded cast when the literal is a number', () => {
    const c = compileSearch({ ...base, filter: 'params.lr < 0.01' });
    expect(c.text).toMatch(/CASE WHEN x\.value ~ '[^']+' THEN x\.value::numeric END\) < \$3::numeric/);
    expect(c.values[2]).toBe('0.01');
  });

  it('scopes to projects when given (an empty list sees nothing) and to all experiments when none are given', () => {
    const c = compileSearch({ schema: 'proj', experimentIds: [], projects: ['vision'] });
    expect(c.text).toContain('r.project = ANY($1::text[])');
    expect(c.text).not.toContain('experiment_id');
    expect(compileSearch({ schema: 'proj', experimentIds: [], projects: [] }).values).toEqual([[]]);
    expect(compileSearch({ schema: 'proj', experimentIds: [], projects: null }).text).not.toContain('project');
  });

  it('orders by metrics, params and attributes with missing values last and run_id as tie-breaker', () => {
    const c = compileSearch({ ...base, orderBy: ['metrics.acc DESC', 'params.lr', 'attributes.end_time ASC'] });
    expect(c.text).toContain('ORDER BY o0.value DESC NULLS LAST, o1.value ASC NULLS LAST, r.end_time ASC NULLS LAST, r.run_id ASC');
    expect(c.values.slice(0, 2)).toEqual(['acc', 'lr']);
  });

  it('an explicit attributes.run_id sets the tie-breaker direction and ends the order', () => {
    const c = compileSearch({ ...base, orderBy: ['metrics.acc', 'attributes.run_id DESC', 'metrics.loss'] });
    expect(c.text).toContain('ORDER BY o0.value ASC NULLS LAST, r.run_id DESC');
    expect(c.text).not.toContain('loss');
    const token = c.page([{ run_id: 'b', k0: '1' }, ...Array.from({ length: 100 }, () => ({ run_id: 'a', k0: '1' }))]).nextPageToken!;
    expect(compileSearch({ ...base, orderBy: ['metrics.acc', 'attributes.run_id DESC', 'metrics.loss'], pageToken: token }).text).toContain('r.run_id < $');
    expect(errorOf(() => compileSearch({ ...base, orderBy: ['metrics.acc', 'attributes.run_id ASC'], pageToken: token })).code).toBe('PAGE_TOKEN_INVALID');
  });

  it('refuses experiment and project lists that are not string arrays (the caller validates bodies)', () => {
    expect(() => compileSearch({ ...base, experimentIds: 'e1' as unknown as string[] })).toThrow(TypeError);
    expect(() => compileSearch({ ...base, projects: [1] as unknown as string[] })).toThrow(TypeError);
  });

  it('max_results 1..1000, else MAX_RESULTS_INVALID', () => {
    expect(compileSearch({ ...base, maxResults: 1000 }).text).toContain('LIMIT 1001');
    expect(compileSearch({ ...base, maxResults: 1 }).pageSize).toBe(1);
    for (const m of [0, 1001, 1.5, -1, Number.NaN, '10' as unknown as number]) {
      expect(errorOf(() => compileSearch({ ...base, maxResults: m })).code).toBe('MAX_RESULTS_INVALID');
    }
  });

  it('rejects a bad schema name as a programming error', () => {
    expect(() => compileSearch({ ...base, schema: 'x"; DROP' })).toThrow(/invalid Postgres schema/);
  });
});

describe('compileSearch: hostile input never changes the shape of the SQL', () => {
  const template = (v: string) => `params.a = '${v}' AND tags.\`${v}\` LIKE '${v}' OR NOT metrics."${v}" > 1`;
  const escape = (v: string) => v.replace(/[\\'"`]/g, (ch) => '\\' + ch);
  const hostile = [
    "x' OR '1'='1",
    "'; DROP TABLE runs; --",
    '*/ SELECT pg_sleep(10) /*',
    '-- comment',
    '$1 $2 ::text',
    '"); DELETE FROM params; --',
    'ünïcödé 🔥 \u202e\u200b',
    '\\\\\\',
    '\\\'',
  ];
  const reference = compileSearch({ ...base, filter: template('plain') });

  it.each(hostile.map((h) => [h.slice(0, 30), h]))('%s', (_label, h) => {
    const c = compileSearch({ ...base, filter: template(escape(h)) });
    expect(c.text).toBe(reference.text);
    expect(c.values).toEqual(reference.values.map((v) => (v === 'plain' ? h : v)));
  });

  it('a 100 KB value is one bound parameter', () => {
    const long = "x'".repeat(50_000);
    const c = compileSearch({ ...base, filter: `params.a = '${escape(long)}'` });
    expect(c.text).toBe(compileSearch({ ...base, filter: "params.a = 'v'" }).text);
    expect(c.values).toContain(long);
  });

  it('comments and semicolons outside strings are syntax errors, not SQL', () => {
    for (const f of ['metrics.a > 1 -- x', 'metrics.a > 1 /* x */', 'metrics.a > 1; DROP TABLE runs']) {
      expect(errorOf(() => compileSearch({ ...base, filter: f })).code).toBe('FILTER_INVALID');
    }
  });

  it('order_by keys are bound values too', () => {
    const a = compileSearch({ ...base, orderBy: ['params.`x` DESC'] });
    const b = compileSearch({ ...base, orderBy: ["params.`x'; DROP TABLE runs; --` DESC"] });
    expect(b.text).toBe(a.text);
    expect(b.values[0]).toBe("x'; DROP TABLE runs; --");
  });
});

describe('compileSearch: page tokens', () => {
  const req: SearchRequest = { ...base, filter: 'metrics.acc > 0', orderBy: ['metrics.acc DESC'], maxResults: 2 };

  it('has no next page when the query returned at most pageSize rows', () => {
    const c = compileSearch(req);
    expect(c.page([{ run_id: 'a', k0: '1' }, { run_id: 'b', k0: '0.5' }])).toEqual({ runIds: ['a', 'b'], nextPageToken: null });
    expect(c.page([])).toEqual({ runIds: [], nextPageToken: null });
  });

  it('a token continues after the last row of the page, with a null key handled as NULLS LAST', () => {
    const c = compileSearch(req);
    const { runIds, nextPageToken } = c.page([{ run_id: 'a', k0: '1' }, { run_id: 'b', k0: '0.5' }, { run_id: 'c', k0: '0.1' }]);
    expect(runIds).toEqual(['a', 'b']);
    expect(nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    const next = compileSearch({ ...req, pageToken: nextPageToken! });
    expect(next.text).toContain('(((o0.value < $5::float8 OR o0.value IS NULL)) OR (o0.value = $5::float8 AND r.run_id > $6::text))');
    expect(next.values.slice(4)).toEqual(['0.5', 'b']);

    const afterNull = c.page([{ run_id: 'a', k0: '1' }, { run_id: 'b', k0: null }, { run_id: 'c', k0: null }]).nextPageToken!;
    const n2 = compileSearch({ ...req, pageToken: afterNull });
    expect(n2.text).toContain('((o0.value IS NULL AND r.run_id > $5::text))');
  });

  it('a token is refused with another filter, order or experiment list, and when forged', () => {
    const c = compileSearch(req);
    const token = c.page([{ run_id: 'a', k0: '1' }, { run_id: 'b', k0: '0.5' }, { run_id: 'c', k0: '0.1' }]).nextPageToken!;
    expect(compileSearch({ ...req, maxResults: 50, pageToken: token }).pageSize).toBe(50);
    for (const other of [{ filter: 'metrics.acc > 1' }, { orderBy: ['metrics.acc ASC'] }, { experimentIds: ['e2'] }, { projects: ['p'] }]) {
      expect(errorOf(() => compileSearch({ ...req, ...other, pageToken: token })).code).toBe('PAGE_TOKEN_INVALID');
    }
    const body = JSON.parse(Buffer.from(token, 'base64url').toString());
    const forge = (b: unknown) => Buffer.from(JSON.stringify(b)).toString('base64url');
    for (const bad of ['garbage!', 'abc', forge({ ...body, k: ["1'; DROP TABLE runs; --"] }), forge({ ...body, k: [] }), forge({ ...body, r: 5 }), forge(null)]) {
      expect(errorOf(() => compileSearch({ ...req, pageToken: bad })).code).toBe('PAGE_TOKEN_INVALID');
    }
    const timeReq: SearchRequest = { ...base, orderBy: ['attributes.start_time'] };
    const timeToken = compileSearch(timeReq).page([{ run_id: 'a', k0: '5' }, { run_id: 'b', k0: '6' }]).nextPageToken;
    expect(timeToken).toBeNull();
    const tb = JSON.parse(Buffer.from(compileSearch({ ...timeReq, maxResults: 1 }).page([{ run_id: 'a', k0: '5' }, { run_id: 'b', k0: '6' }]).nextPageToken!, 'base64url').toString());
    for (const k of ['1.5', '99999999999999999999', 'x']) {
      expect(errorOf(() => compileSearch({ ...timeReq, maxResults: 1, pageToken: forge({ ...tb, k: [k] }) })).code).toBe('PAGE_TOKEN_INVALID');
    }
  });
});
