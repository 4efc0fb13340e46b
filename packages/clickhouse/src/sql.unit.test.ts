import { identifier, join, literal, numberLiteral, qualified, raw, sql, SqlLiteralError, stringLiteral } from './sql';

describe('stringLiteral', () => {
  it.each([
    ['plain', "'plain'"],
    ['', "''"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ["\\'", "'\\\\\\''"],
    ['nul\u0000byte', "'nul\\x00byte'"],
    ['line\nfeed\r\ttab', "'line\\x0afeed\\x0d\\x09tab'"],
    ['esc\u001b[31m del\u007f', "'esc\\x1b[31m del\\x7f'"],
    ['ünïcødé 日本語 🚀', "'ünïcødé 日本語 🚀'"],
    ['"double" `back`', "'\"double\" `back`'"],
  ])('given %j, then %s', (input, expected) => {
    expect(stringLiteral(input)).toBe(expected);
  });

  it.each([
    "x' OR 1=1 --",
    "'; DROP TABLE events; --",
    "\\'; DROP TABLE events; --",
    "x\\",
    "/* comment */ ' UNION ALL SELECT 1 --",
    '\u0000\'\\\u0000',
  ])('keeps the injection attempt %j inside one literal', (attack) => {
    const lit = stringLiteral(attack);
    // Only the opening and closing quotes are unescaped quotes: the body is plain characters and known escapes.
    const body = lit.slice(1, -1);
    expect(lit.startsWith("'") && lit.endsWith("'")).toBe(true);
    expect(body).toMatch(/^(?:[^'\\]|\\\\|\\'|\\x[0-9a-f]{2})*$/);
    expect(lit).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('refuses lone surrogates, which have no UTF-8 form', () => {
    expect(() => stringLiteral('a\uD800b')).toThrow(SqlLiteralError);
    expect(() => stringLiteral('\uDC00')).toThrow(SqlLiteralError);
    expect(stringLiteral('\uD83D\uDE80')).toBe("'🚀'");
  });

  it('refuses non-strings at run time', () => {
    expect(() => stringLiteral(42 as unknown as string)).toThrow(SqlLiteralError);
  });
});

describe('numberLiteral', () => {
  it.each<[number | bigint, string]>([
    [0, '0'],
    [42, '42'],
    [-7, '(-7)'],
    [0.1, '0.1'],
    [1e21, '1e+21'],
    [-1.5e-7, '(-1.5e-7)'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '(-inf)'],
    [-0, '(-0.)'],
    [18446744073709551615n, '18446744073709551615'],
    [-9223372036854775808n, '-9223372036854775808'],
  ])('given %p, then %s', (input, expected) => {
    expect(numberLiteral(input)).toBe(expected);
  });

  it('spells subnormals by their bits (18.16 rejects subnormal literals)', () => {
    expect(numberLiteral(5e-324)).toBe("reinterpretAsFloat64(unhex('0100000000000000'))");
    expect(numberLiteral(-1e-310)).toMatch(/^reinterpretAsFloat64\(unhex\('[0-9A-F]{16}'\)\)$/);
  });

  it('never lets a negative number form a "--" comment after a minus', () => {
    expect(sql`SELECT 1 -${-1}`.text).toBe('SELECT 1 -(-1)');
    expect(sql`SELECT 1 -${-Infinity}`.text).toBe('SELECT 1 -(-inf)');
  });
});

describe('literal', () => {
  it('inlines null, booleans and nested arrays', () => {
    expect(literal(null)).toBe('NULL');
    expect(literal(true)).toBe('1');
    expect(literal(false)).toBe('0');
    expect(literal([])).toBe('[]');
    expect(literal(['a', "b'", [1, NaN]])).toBe("['a', 'b\\'', [1, nan]]");
  });

  it('refuses values it cannot represent', () => {
    expect(() => literal({} as unknown as string)).toThrow(SqlLiteralError);
    expect(() => literal(undefined as unknown as string)).toThrow(SqlLiteralError);
  });
});

describe('identifier', () => {
  it('back-quotes and escapes', () => {
    expect(identifier('events').text).toBe('`events`');
    expect(identifier('we`ird\\ na\nme').text).toBe('`we\\`ird\\\\ na\\x0ame`');
    expect(qualified('db', 'metric_points').text).toBe('`db`.`metric_points`');
  });

  it('refuses an empty name', () => {
    expect(() => identifier('')).toThrow(SqlLiteralError);
  });
});

describe('sql tag', () => {
  it('inlines values as literals and fragments as they are', () => {
    const q = sql`SELECT ${raw('count()')} FROM ${qualified('db', 't')} WHERE run_id = ${"r'1"} AND step IN (${join([1, 2])})`;
    expect(q.text).toBe("SELECT count() FROM `db`.`t` WHERE run_id = 'r\\'1' AND step IN (1, 2)");
    expect(String(q)).toBe(q.text);
  });

  it('nests', () => {
    const where = sql`key = ${'loss'}`;
    expect(sql`SELECT 1 WHERE ${where}`.text).toBe("SELECT 1 WHERE key = 'loss'");
  });
});
