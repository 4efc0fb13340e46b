import { eventToJson } from '@trackstream/events';
import { asRecords, everyEventType, metrics } from './testing/fixtures';
import { canonicalJson, checkpointRow, float64Bits, metricPointRows, toRows } from './rows';

describe('toRows', () => {
  it('given one event of every type, then one event row each, in log order, with partition and offset', () => {
    const events = everyEventType('run-1');
    const rows = toRows(asRecords(events, 100), 3);

    expect(rows.rejected).toEqual([]);
    expect(rows.events.map((r) => [r.type, r.offset, r.partition])).toEqual(events.map((e, i) => [e.type, String(100 + i), 3]));
    const created = rows.events[0]!;
    expect(created).toMatchObject({ event_id: events[0]!.event_id, project: 'vision', experiment_id: 'exp-7', run_id: null, principal: 'sdk:alice' });
    expect(created.received_at).toBe(events[0]!.received_at);
    expect(JSON.parse(created.payload)).toEqual({ name: "it's \\ \u0000 ünï 🚀", description: null, tags: { team: 'risk' } });
  });

  it('given a metrics event, then one point row per point, identified by event and index', () => {
    const e = metrics('run-1', 1000, [
      { key: 'loss', value: 0.5, step: 1, timestamp: 1001 },
      { key: 'loss', value: 0.4, step: 1, timestamp: 1002 },
    ]);
    const rows = toRows(asRecords([e], 7), 0);

    expect(rows.pointCount).toBe(2);
    expect(metricPointRows(rows.pointGroups)).toEqual([
      { project: 'vision', experiment_id: 'exp-7', run_id: 'run-1', key: 'loss', step: 1, timestamp: 1001, value_bits: float64Bits(0.5), event_id: e.event_id, point_index: 0, offset: '7' },
      { project: 'vision', experiment_id: 'exp-7', run_id: 'run-1', key: 'loss', step: 1, timestamp: 1002, value_bits: float64Bits(0.4), event_id: e.event_id, point_index: 1, offset: '7' },
    ]);
  });

  it('given non-finite and negative-zero values, then their IEEE-754 bits travel (JSON has no form for them)', () => {
    const e = metrics('run-1', 1000, [NaN, Infinity, -Infinity, -0, 0, 1.5].map((value, step) => ({ key: 'k', value, step })));
    const rows = toRows(asRecords([e]), 0);

    expect(metricPointRows(rows.pointGroups).map((p) => p.value_bits)).toEqual([
      '9221120237041090560', // 0x7FF8000000000000
      '9218868437227405312', // 0x7FF0000000000000
      '18442240474082181120', // 0xFFF0000000000000
      '9223372036854775808', // 0x8000000000000000
      '0',
      '4609434218613702656', // 0x3FF8000000000000
    ]);
    // The payload keeps the contract's JSON spelling.
    expect(JSON.parse(rows.events[0]!.payload).points.map((p: { value: unknown }) => p.value)).toEqual(['NaN', 'Infinity', '-Infinity', 0, 0, 1.5]);
  });

  it('given the same event built with its keys in another order, then the same payload text', () => {
    const a = everyEventType('run-1').find((e) => e.type === 'artifact_logged')!;
    const p = a.payload as Record<string, unknown>;
    const reordered = { ...a, payload: Object.fromEntries(Object.entries(p).reverse()) } as typeof a;
    const [x, y] = [toRows(asRecords([a]), 0), toRows(asRecords([reordered]), 0)];
    expect(y.events[0]!.payload).toBe(x.events[0]!.payload);
    expect(x.events[0]!.payload).toBe(canonicalJson(p));
    expect(Object.keys(JSON.parse(x.events[0]!.payload))).toEqual(['media_type', 'path', 'sha256', 'size_bytes', 'uri']);
  });

  it('given a metrics event, then its payload text is the canonical JSON (fast path and generic path agree)', () => {
    const e = metrics('run-1', 1000, [
      { key: 'a"\\\u0000ü', value: NaN, step: 1, timestamp: 5 },
      { key: 'b', value: -2.5e-300, step: -2, timestamp: 6 },
      { key: 'c', value: Infinity, step: 2 ** 60, timestamp: 7 },
      { key: 'd', value: -Infinity, step: 3, timestamp: 8 },
      { key: 'e', value: -0, step: 4, timestamp: 9 },
      { key: 'f', value: 1e21, step: 5, timestamp: 10 },
    ]);
    const payload = toRows(asRecords([e]), 0).events[0]!.payload;
    expect(payload).toBe(canonicalJson((eventToJson(e) as { payload: unknown }).payload));
    expect(JSON.parse(payload).points.map((p: { value: unknown }) => p.value)).toEqual(['NaN', -2.5e-300, 'Infinity', '-Infinity', 0, 1e21]);
    // A point with a field this code does not know (a later schema version) keeps it.
    const extra = { ...e, payload: { points: [{ key: 'k', value: 1, step: 1, timestamp: 1, unit: 's' }] } } as unknown as typeof e;
    expect(JSON.parse(toRows(asRecords([extra]), 0).events[0]!.payload).points[0].unit).toBe('s');
  });

  it('given a map with a "__proto__" key (decoded maps keep it as data), then the payload keeps it', () => {
    const e = everyEventType('run-1').find((x) => x.type === 'params_logged')!;
    const withProto = { ...e, payload: { params: JSON.parse('{"z":"2","__proto__":"x","a":"1"}') } } as typeof e;
    expect(toRows(asRecords([withProto]), 0).events[0]!.payload).toBe('{"params":{"__proto__":"x","a":"1","z":"2"}}');
  });

  it('given the same records twice, then byte-identical rows (nothing depends on time or order of calls)', () => {
    const records = asRecords(everyEventType('run-1'), 5);
    expect(JSON.stringify(toRows(records, 1))).toBe(JSON.stringify(toRows(records, 1)));
  });

  it('given a step outside Int64, then the record is rejected by offset and the others still make rows', () => {
    const good = metrics('run-1', 1000, [{ key: 'k', value: 1, step: 1 }]);
    const bad = metrics('run-1', 1000, [{ key: 'k', value: 1, step: 1e300 }]);
    const rows = toRows(asRecords([good, bad], 10), 0);

    expect(rows.rejected).toEqual([{ offset: '11', reason: 'points[0].step 1e+300 is not an Int64' }]);
    expect(rows.events.map((r) => r.offset)).toEqual(['10']);
    expect(rows.pointGroups.map((g) => g.offset)).toEqual(['10']);
  });

  it('given no records, then no rows', () => {
    expect(toRows([], 0)).toEqual({ pointGroups: [], pointCount: 0, events: [], rejected: [] });
  });
});

describe('float64Bits', () => {
  it('reads back as the same double', () => {
    for (const v of [1, -2.5, 0.1, 5e-324, Number.MAX_VALUE, -Infinity]) {
      const buf = Buffer.alloc(8);
      buf.writeBigUInt64LE(BigInt(float64Bits(v)));
      expect(buf.readDoubleLE(0)).toBe(v);
    }
  });
});

describe('checkpointRow', () => {
  it('records the next offset as given', () => {
    expect(checkpointRow('t', 2, '18446744073709551615', 99)).toEqual({ topic: 't', partition: 2, next_offset: '18446744073709551615', updated_at: 99 });
  });
});
