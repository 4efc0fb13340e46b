import { METRIC_POINT_INSERT_COLUMNS, encodeMetricPoints, encodeString, metricPointStructure } from './row-binary';
import { metricPointRows, toRows, type MetricPointGroup, type MetricPointRow } from './rows';
import { asRecords, metrics } from './testing/fixtures';

/** A RowBinary reader for the insert columns: what the server does with the bytes, written independently. */
function decode(body: Buffer): MetricPointRow[] {
  let o = 0;
  const str = () => {
    let length = 0;
    let shift = 1;
    for (;;) {
      const b = body[o++]!;
      length += (b & 0x7f) * shift;
      if (b < 0x80) break;
      shift *= 0x80;
    }
    const s = body.toString('utf8', o, o + length);
    o += length;
    return s;
  };
  const int64 = () => {
    const v = body.readBigInt64LE(o);
    o += 8;
    return Number(v);
  };
  const uint64 = () => {
    const v = body.readBigUInt64LE(o);
    o += 8;
    return v.toString();
  };
  const rows: MetricPointRow[] = [];
  while (o < body.length) {
    rows.push({
      project: str(),
      experiment_id: str(),
      run_id: str(),
      key: str(),
      step: int64(),
      timestamp: int64(),
      value_bits: uint64(),
      event_id: str(),
      point_index: (o += 4, body.readUInt32LE(o - 4)),
      offset: uint64(),
    });
  }
  expect(o).toBe(body.length);
  return rows;
}

describe('RowBinary encoding of metric points', () => {
  it('given the schema, then it writes every column but the server-computed ones, in table order', () => {
    expect(METRIC_POINT_INSERT_COLUMNS).toEqual(['project', 'experiment_id', 'run_id', 'key', 'step', 'timestamp', 'value_bits', 'event_id', 'point_index', 'offset']);
    expect(metricPointStructure()).toBe(
      'project String, experiment_id String, run_id String, key String, step Int64, timestamp Int64, value_bits UInt64, event_id String, point_index UInt32, offset UInt64',
    );
  });

  it('given one point, then these exact bytes', () => {
    const group: MetricPointGroup = { project: 'p', experiment_id: 'e', run_id: 'r', event_id: 'ev', offset: '258', points: [{ key: 'k', step: -1, timestamp: 2 ** 32 + 5, value: 1.5 }] };
    expect(encodeMetricPoints([group]).toString('hex')).toBe(
      [
        '0170', '0165', '0172', '016b', // project, experiment_id, run_id, key: length 1 + byte
        'ffffffffffffffff', // step -1
        '0500000001000000', // timestamp 2^32 + 5
        '000000000000f83f', // value_bits: the bytes of 1.5
        '02' + Buffer.from('ev').toString('hex'),
        '00000000', // point_index 0
        '0201000000000000', // offset 258
      ].join(''),
    );
  });

  it('given hostile strings, several events and edge values, then decoding gives back exactly the rows they stand for', () => {
    const long = 'ü'.repeat(200); // 400 bytes: a two-byte length
    const events = [
      metrics('run-🚀', 1, [
        { key: long, value: NaN, step: 0, timestamp: -1 },
        { key: 'a\tb\nc\\d\u0000', value: -0, step: -(2 ** 53) + 1, timestamp: 2 ** 53 - 1 },
        { key: long, value: Infinity, step: 2 ** 60, timestamp: -(2 ** 63) },
      ]),
      metrics("it's", 2, [{ key: 'x', value: -Infinity, step: 2 ** 32 - 1, timestamp: -(2 ** 32) }, { key: 'x', value: 5e-324, step: 1, timestamp: 1 }]),
    ];
    const rows = toRows(asRecords(events, 2 ** 40), 0);
    expect(rows.rejected).toEqual([]);
    expect(decode(encodeMetricPoints(rows.pointGroups))).toEqual(metricPointRows(rows.pointGroups));
    expect(decode(encodeMetricPoints(rows.pointGroups)).map((r) => r.value_bits).slice(0, 2)).toEqual(['9221120237041090560', '9223372036854775808']);
  });

  it('given no groups, then an empty body', () => {
    expect(encodeMetricPoints([])).toHaveLength(0);
  });

  it('encodes a string as its UTF-8 byte length in LEB128, then the bytes', () => {
    expect(encodeString('').toString('hex')).toBe('00');
    expect(encodeString('é').toString('hex')).toBe('02c3a9');
    const s = encodeString('a'.repeat(300));
    expect(s.subarray(0, 2).toString('hex')).toBe('ac02'); // 300 = 0b10_0101100
    expect(s).toHaveLength(302);
  });
});
