import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { endpointsFromEnv } from '@trackstream/testkit';
import { identifier, literal, numberLiteral, sql, stringLiteral } from './sql';

// Round trip through the real server: what the helper inlines is what ClickHouse reads back, byte for byte.
const HOSTILE_STRINGS = [
  '',
  "'",
  "''",
  '\\',
  "\\'",
  "'\\",
  "x' OR '1'='1",
  "'; DROP TABLE system.numbers; --",
  "\\'; SELECT 1; --",
  '/* unterminated comment',
  '-- line comment',
  '\u0000',
  'a\u0000b\u0000',
  '\n\r\t\b\f\v\u0007\u001b\u007f',
  Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join(''),
  'ünïcødé 日本語 עברית 🚀👩‍👩‍👧 \u200b\ufeff\u2028\u2029',
  '`backtick` "double" $dollar$ {x:String} ?',
  '\\x41\\0\\n',
  "%' UNION ALL SELECT name FROM system.tables --",
  // Long, yet under max_query_size (256 KiB) once hex-encoded beside itself.
  'x'.repeat(60_000),
];

describe('sql escaping against the real ClickHouse', () => {
  let client: ClickHouseClient;
  beforeAll(() => {
    client = createClient({ url: endpointsFromEnv().clickhouseUrl });
  });
  afterAll(async () => {
    await client.close();
  });

  async function one<T>(query: string): Promise<T> {
    const rs = await client.query({ query, format: 'JSONEachRow' });
    const rows = await rs.json<T>();
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }

  it.each(HOSTILE_STRINGS.map((s) => [JSON.stringify(s).slice(0, 60), s]))('string %s reads back byte for byte', async (_label, s) => {
    const row = await one<{ h: string; n: string | number }>(sql`SELECT hex(${s}) AS h, length(${s}) AS n`.text);
    expect(row.h).toBe(Buffer.from(s, 'utf8').toString('hex').toUpperCase());
    expect(Number(row.n)).toBe(Buffer.byteLength(s, 'utf8'));
  });

  it('compares equal in a WHERE clause (the form filters use)', async () => {
    for (const s of HOSTILE_STRINGS) {
      const row = await one<{ ok: number }>(`SELECT ${stringLiteral(s)} = unhex(${stringLiteral(Buffer.from(s).toString('hex'))}) AS ok`);
      expect([s, Number(row.ok)]).toEqual([s, 1]);
    }
  });

  it.each(['plain', 'we`ird', 'back\\slash', "quo'te", 'new\nline', 'ünï 🚀', '\u0000'])('identifier %j names exactly itself', async (name) => {
    const rs = await client.query({ query: sql`SELECT 1 AS ${identifier(name)}`.text, format: 'JSONEachRow' });
    const rows = await rs.json<Record<string, unknown>>();
    expect(Object.keys(rows[0]!)).toEqual([name]);
  });

  const DOUBLES = [0, -0, 1, -1, 0.1, -2.5, 1e21, 1e-7, 123456789.12345678, Number.MAX_VALUE, -Number.MAX_VALUE,
    Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, 1e-310, NaN, Infinity, -Infinity, 2 ** 53 + 2];
  it.each(DOUBLES.map((d) => [Object.is(d, -0) ? '-0' : String(d), d]))('double %s reads back with the same bits', async (_label, d) => {
    const row = await one<{ h: string }>(`SELECT hex(reinterpretAsString(toFloat64(${numberLiteral(d)}))) AS h`);
    const expected = Buffer.alloc(8);
    expected.writeDoubleLE(d);
    // reinterpretAsString drops trailing zero bytes.
    expect(row.h.padEnd(16, '0')).toBe(expected.toString('hex').toUpperCase());
  });

  it('inlines big integers and arrays', async () => {
    const row = await one<{ u: string; i: string; a: string[]; n: number[] }>(
      `SELECT toString(${literal(18446744073709551615n)}) AS u, toString(${literal(-9223372036854775808n)}) AS i, ` +
        `${literal(["a'", '\\', '🚀'])} AS a, ${literal([1, -2, 3.5])} AS n`,
    );
    expect(row).toEqual({ u: '18446744073709551615', i: '-9223372036854775808', a: ["a'", '\\', '🚀'], n: [1, -2, 3.5] });
  });
});
