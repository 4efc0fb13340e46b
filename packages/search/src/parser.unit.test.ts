import { parseFilter, parseOrderBy, SearchError, tokenize, MAX_DEPTH, type FilterAst } from './index';

function errorOf(fn: () => unknown): SearchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SearchError) return e;
    throw e;
  }
  throw new Error('expected a SearchError');
}

const str = (value: string) => ({ type: 'string', value });
const cmp = (entity: string, key: string, op: string, value: unknown) =>
  expect.objectContaining({ kind: 'comparison', entity, key, op, value });

describe('tokenize', () => {
  it('splits words, quoted strings, numbers, operators and parentheses with positions', () => {
    const t = tokenize(`metrics.acc>=-1.5e-3 AND (params."a b" != 'x''y')`);
    expect(t.map((x) => [x.kind, x.text, x.position])).toEqual([
      ['word', 'metrics.acc', 0],
      ['op', '>=', 11],
      ['number', '-1.5e-3', 13],
      ['word', 'AND', 21],
      ['lparen', '(', 25],
      ['word', 'params.', 26],
      ['string', 'a b', 33],
      ['op', '!=', 39],
      ['string', "x'y", 42],
      ['rparen', ')', 48],
      ['eof', '', 49],
    ]);
  });

  it('unescapes backslash escapes and keeps unknown ones (LIKE escapes) as written', () => {
    expect(tokenize(String.raw`'a\'b\\c\_d\n'`)[0]!.text).toBe("a'b\\c\\_d\n");
    expect(tokenize(`"say ""hi"""`)[0]!.text).toBe('say "hi"');
  });

  it('reads numbers: integers, decimals, exponents, negatives, leading dot', () => {
    for (const n of ['0', '42', '-3', '0.5', '.5', '-.5', '1e10', '1E-7', '2.5e+3', '5.']) {
      expect(tokenize(`metrics.x > ${n}`)[2]).toEqual(expect.objectContaining({ kind: 'number', text: n }));
    }
  });

  it('rejects an unterminated string at the end, naming where it opened', () => {
    const e = errorOf(() => tokenize(`params.a = 'abc`));
    expect(e).toMatchObject({ code: 'FILTER_INVALID', position: 15, retriable: false });
    expect(e.expected).toContain("closing ' of the string opened at position 11");
  });

  it('rejects stray characters, NUL and malformed numbers with their position', () => {
    expect(errorOf(() => tokenize('metrics.a > 1; DROP TABLE runs'))).toMatchObject({ position: 13 });
    expect(errorOf(() => tokenize("params.a = 'x\u0000'"))).toMatchObject({ position: 13 });
    expect(errorOf(() => tokenize('metrics.a > 1.2.3'))).toMatchObject({ position: 15 });
    expect(errorOf(() => tokenize('metrics.a > 12abc'))).toMatchObject({ position: 14 });
  });
});

describe('parseFilter: MLflow documentation examples', () => {
  it.each<[string, FilterAst]>([
    ['metrics.accuracy > 0.92', cmp('metric', 'accuracy', '>', { type: 'number', value: 0.92, text: '0.92' })],
    [
      'params.model = "LogisticRegression" and params.lambda = "0.001" and metrics.error <= 0.05',
      {
        kind: 'and',
        items: [
          cmp('param', 'model', '=', { type: 'string', value: 'LogisticRegression' }),
          cmp('param', 'lambda', '=', { type: 'string', value: '0.001' }),
          cmp('metric', 'error', '<=', { type: 'number', value: 0.05, text: '0.05' }),
        ],
      },
    ],
    ['attributes.status = "FAILED"', cmp('attribute', 'status', '=', { type: 'string', value: 'FAILED' })],
    ['metrics.rmse < 1 and params.model = "tree"', expect.objectContaining({ kind: 'and' })],
    ['params."model class" = "LogisticRegression"', cmp('param', 'model class', '=', { type: 'string', value: 'LogisticRegression' })],
    ['metrics.`f1 score` > 0.9', cmp('metric', 'f1 score', '>', expect.objectContaining({ value: 0.9 }))],
    ['tags."mlflow.source.type" = "notebook"', cmp('tag', 'mlflow.source.type', '=', { type: 'string', value: 'notebook' })],
    ['tags.mlflow.source.type = "LOCAL"', cmp('tag', 'mlflow.source.type', '=', { type: 'string', value: 'LOCAL' })],
    ["tags.`mlflow.user` = 'alice'", cmp('tag', 'mlflow.user', '=', { type: 'string', value: 'alice' })],
    ['attributes.run_name LIKE "%vivacious%"', cmp('attribute', 'run_name', 'LIKE', { type: 'string', value: '%vivacious%' })],
    ["tags.task ILIKE '%CLASSIF%'", cmp('tag', 'task', 'ILIKE', { type: 'string', value: '%CLASSIF%' })],
    ["params.learning_rate = '0.01'", cmp('param', 'learning_rate', '=', { type: 'string', value: '0.01' })],
    ['attributes.start_time > 1691000000000', cmp('attribute', 'start_time', '>', expect.objectContaining({ value: 1691000000000 }))],
    ['attributes.created > 1691000000000', cmp('attribute', 'start_time', '>', expect.objectContaining({ value: 1691000000000 }))],
    ['attributes.end_time <= 1691000000000', cmp('attribute', 'end_time', '<=', expect.objectContaining({ value: 1691000000000 }))],
    ["attributes.run_id IN ('a1', 'b2')", cmp('attribute', 'run_id', 'IN', [{ type: 'string', value: 'a1' }, { type: 'string', value: 'b2' }])],
    ["attributes.status != 'RUNNING'", cmp('attribute', 'status', '!=', { type: 'string', value: 'RUNNING' })],
    ["attributes.user_id = 'alice'", cmp('attribute', 'user_id', '=', { type: 'string', value: 'alice' })],
    ["run_name = 'good-run'", cmp('attribute', 'run_name', '=', { type: 'string', value: 'good-run' })],
    ["status NOT IN ('FAILED', 'KILLED')", cmp('attribute', 'status', 'NOT IN', expect.any(Array))],
    ['metrics.loss < -0.5', cmp('metric', 'loss', '<', { type: 'number', value: -0.5, text: '-0.5' })],
    ['attributes.status = "FINISHED"', cmp('attribute', 'status', '=', { type: 'string', value: 'FINISHED' })],
    ['attributes.Created > 1670628787527', cmp('attribute', 'start_time', '>', expect.objectContaining({ value: 1670628787527 }))],
    ["tags.`mlflow.user` = 'john@mlflow.com'", cmp('tag', 'mlflow.user', '=', { type: 'string', value: 'john@mlflow.com' })],
    ["tags.`model` LIKE 'sklearn%'", cmp('tag', 'model', 'LIKE', { type: 'string', value: 'sklearn%' })],
    ["tags.`type` ILIKE '%Logistic%'", cmp('tag', 'type', 'ILIKE', { type: 'string', value: '%Logistic%' })],
    ['attributes.`run_name` ILIKE "%alpha%"', cmp('attribute', 'run_name', 'ILIKE', { type: 'string', value: '%alpha%' })],
    ['attributes.`run name` ILIKE "%alpha%"', cmp('attribute', 'run_name', 'ILIKE', { type: 'string', value: '%alpha%' })],
    ['attributes.`Run name` ILIKE "%alpha%"', cmp('attribute', 'run_name', 'ILIKE', { type: 'string', value: '%alpha%' })],
    ["attributes.`Run Name` IN ('alpha', 'beta', 'gamma')", cmp('attribute', 'run_name', 'IN', [str('alpha'), str('beta'), str('gamma')])],
    ['params.alpha = "0.3" and params.lambda = "0.001" and metrics.error <= 0.05', expect.objectContaining({ kind: 'and' })],
    ['metrics."2019-04-02 error rate" < 0.1', cmp('metric', '2019-04-02 error rate', '<', expect.objectContaining({ value: 0.1 }))],
    ['params."model-type" = "cnn"', cmp('param', 'model-type', '=', str('cnn'))],
    ['metrics.`error rate` < 0.1', cmp('metric', 'error rate', '<', expect.objectContaining({ value: 0.1 }))],
  ])('%s', (filter, expected) => {
    expect(parseFilter(filter)).toEqual(expected);
  });
});

describe('parseFilter: aliases and quoting', () => {
  it.each([
    ['metric.acc > 1', 'metric'],
    ['METRICS.acc > 1', 'metric'],
    ["param.lr = '1'", 'param'],
    ["parameter.lr = '1'", 'param'],
    ["parameters.lr = '1'", 'param'],
    ["tag.t = '1'", 'tag'],
    ["attribute.status = 'FINISHED'", 'attribute'],
    ["attr.status = 'FINISHED'", 'attribute'],
    ["run.status = 'FINISHED'", 'attribute'],
  ])('%s', (filter, entity) => {
    expect(parseFilter(filter)).toEqual(expect.objectContaining({ entity }));
  });

  it('maps attribute aliases to canonical names', () => {
    expect(parseFilter("attributes.user = 'x'")).toMatchObject({ key: 'user_id' });
    expect(parseFilter("attributes.`Run Name` = 'x'")).toMatchObject({ key: 'run_name' });
  });

  it('keeps keys exactly, including unicode and characters that mean something in SQL', () => {
    expect(parseFilter("params.`a'b; --` = 'v'")).toMatchObject({ key: "a'b; --" });
    expect(parseFilter('params."x""y" = \'v\'')).toMatchObject({ key: 'x"y' });
    expect(parseFilter("params.température = 'v'")).toMatchObject({ key: 'température' });
    expect(parseFilter("tags.`🔥` = 'v'")).toMatchObject({ key: '🔥' });
  });

  it('accepts keywords in any case and == / <> spellings', () => {
    expect(parseFilter("params.a like 'x%' And params.b not ilike 'y' oR params.c in ('1')")).toMatchObject({ kind: 'or' });
    expect(parseFilter('metrics.a == 1')).toMatchObject({ op: '=' });
    expect(parseFilter('metrics.a <> 1')).toMatchObject({ op: '!=' });
  });

  it('an empty or blank filter matches everything', () => {
    expect(parseFilter('')).toEqual({ kind: 'all' });
    expect(parseFilter('  \n ')).toEqual({ kind: 'all' });
  });
});

describe('parseFilter: beyond MLflow', () => {
  const a = cmp('metric', 'a', '>', expect.anything());
  const b = cmp('metric', 'b', '>', expect.anything());
  const c = cmp('metric', 'c', '>', expect.anything());

  it('NOT binds tighter than AND, AND tighter than OR', () => {
    expect(parseFilter('metrics.a > 1 OR metrics.b > 1 AND metrics.c > 1')).toEqual({ kind: 'or', items: [a, { kind: 'and', items: [b, c] }] });
    expect(parseFilter('metrics.a > 1 AND metrics.b > 1 OR metrics.c > 1')).toEqual({ kind: 'or', items: [{ kind: 'and', items: [a, b] }, c] });
    expect(parseFilter('NOT metrics.a > 1 AND metrics.b > 1')).toEqual({ kind: 'and', items: [{ kind: 'not', item: a }, b] });
    expect(parseFilter('NOT (metrics.a > 1 AND metrics.b > 1)')).toEqual({ kind: 'not', item: { kind: 'and', items: [a, b] } });
  });

  it('parentheses override precedence and may nest', () => {
    expect(parseFilter('(metrics.a > 1 OR metrics.b > 1) AND metrics.c > 1')).toEqual({ kind: 'and', items: [{ kind: 'or', items: [a, b] }, c] });
    expect(parseFilter('((((metrics.a > 1))))')).toEqual(a);
  });

  it('a number compared with a param means a numeric comparison', () => {
    expect(parseFilter('params.lr < 0.01')).toEqual(cmp('param', 'lr', '<', { type: 'number', value: 0.01, text: '0.01' }));
  });
});

describe('parseFilter: errors name the position and what was expected', () => {
  it.each<[string, number, string]>([
    ['metrics.acc >', 13, 'a quoted string or a number'],
    ['metrics.acc 0.9', 12, 'a comparison operator'],
    ['foo.acc > 1', 0, 'one of the prefixes'],
    ['attributes.nope = 1', 0, 'an attribute'],
    ['metrics.acc > 1 AND', 19, 'a key like'],
    ['metrics.acc > 1 metrics.b > 2', 16, 'AND, OR or end of filter'],
    ['(metrics.acc > 1', 16, 'AND, OR or ")"'],
    ['metrics.acc > 1)', 15, 'AND, OR or end of filter'],
    ["metrics.acc > 'high'", 14, 'a number for metrics.acc'],
    ["metrics.acc LIKE '%'", 12, 'a numeric comparison'],
    ['params.a LIKE 5', 14, 'a quoted string for LIKE'],
    ["params.a IN ('x', 1)", 18, 'a quoted string for IN'],
    ["attributes.status < 'A'", 18, '=, !=, LIKE, ILIKE, IN or NOT IN'],
    ["attributes.start_time = 'yesterday'", 24, 'a number'],
    ["params.a IN 'x'", 12, '"(" to open the IN list'],
    ["params.a IN ('x' 'y')", 17, '"," or ")"'],
    ['params. = 1', 8, 'a key after "params."'],
    ['metrics.a NOT > 1', 14, 'IN, LIKE or ILIKE after NOT'],
    ['metrics.a > 1e999', 12, 'a finite number'],
  ])('%s → position %d', (filter, position, expected) => {
    const e = errorOf(() => parseFilter(filter));
    expect(e.code).toBe('FILTER_INVALID');
    expect(e.position).toBe(position);
    expect(e.expected).toContain(expected);
    expect(e.message).toContain(`position ${position}`);
    expect(e.message).toContain(e.expected!);
  });

  it('positions count characters, so astral characters before the error count once', () => {
    const e = errorOf(() => parseFilter("tags.`🔥🔥` = 'x' AND"));
    expect(e).toMatchObject({ position: 19 });
    expect(e.message).toContain('position 19');
    expect(errorOf(() => parseOrderBy(['tags.`🔥` SIDEWAYS']))).toMatchObject({ code: 'ORDER_BY_INVALID', position: 9 });
  });

  it('deep nesting is a bounded error, not a stack overflow', () => {
    const deep = '('.repeat(90_000) + 'metrics.a > 1' + ')'.repeat(90_000);
    const e = errorOf(() => parseFilter(deep));
    expect(e).toMatchObject({ code: 'FILTER_INVALID', position: MAX_DEPTH });
    expect(errorOf(() => parseFilter('NOT '.repeat(50_000) + 'metrics.a > 1')).code).toBe('FILTER_INVALID');
    expect(() => parseFilter('('.repeat(MAX_DEPTH) + 'metrics.a > 1' + ')'.repeat(MAX_DEPTH))).not.toThrow();
  });

  it('too many comparisons and too long filters are bounded errors', () => {
    expect(errorOf(() => parseFilter(Array(501).fill('metrics.a > 1').join(' AND '))).code).toBe('FILTER_INVALID');
    expect(errorOf(() => parseFilter(`params.a = '${'x'.repeat(300_000)}'`)).code).toBe('FILTER_INVALID');
  });
});

describe('parseOrderBy', () => {
  it('reads MLflow order_by items', () => {
    expect(parseOrderBy(['metrics.acc DESC', 'attributes.start_time', 'params.lr ASC', 'tags.`my tag` desc', 'run_name'])).toEqual([
      expect.objectContaining({ entity: 'metric', key: 'acc', direction: 'DESC' }),
      expect.objectContaining({ entity: 'attribute', key: 'start_time', direction: 'ASC' }),
      expect.objectContaining({ entity: 'param', key: 'lr', direction: 'ASC' }),
      expect.objectContaining({ entity: 'tag', key: 'my tag', direction: 'DESC' }),
      expect.objectContaining({ entity: 'attribute', key: 'run_name', direction: 'ASC' }),
    ]);
  });

  it('rejects bad items with ORDER_BY_INVALID naming the item, position and expectation', () => {
    const e = errorOf(() => parseOrderBy(['metrics.acc', 'metrics.acc DOWN']));
    expect(e).toMatchObject({ code: 'ORDER_BY_INVALID', position: 12 });
    expect(e.message).toContain('order_by[1]');
    expect(e.expected).toContain('ASC, DESC');
    expect(errorOf(() => parseOrderBy(['attributes.nope'])).code).toBe('ORDER_BY_INVALID');
    expect(errorOf(() => parseOrderBy(['metrics.a; DROP TABLE runs'])).code).toBe('ORDER_BY_INVALID');
    expect(errorOf(() => parseOrderBy(Array(11).fill('metrics.a'))).code).toBe('ORDER_BY_INVALID');
  });
});
