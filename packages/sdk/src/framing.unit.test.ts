import { decodeRecordAt, decodeRecords, encodeRecord } from './framing';

describe('spool record framing', () => {
  const a = { t: 'b', s: 1, events: [{ x: 'line\nbreak', y: 'ünïcødé' }] };
  const b = { t: 'a', s: [1] };

  it('round-trips records, newlines inside values included', () => {
    const buf = Buffer.concat([encodeRecord(a), encodeRecord(b)]);
    const out = decodeRecords(buf);
    expect(out.records.map((r) => r.value)).toEqual([a, b]);
    expect(out.corrupt).toBe(0);
    expect(out.tornTailBytes).toBe(0);
    expect(decodeRecordAt(buf.subarray(out.records[1]!.offset, out.records[1]!.offset + out.records[1]!.length))).toEqual(b);
  });

  it('detects and skips a torn last record at every possible cut point', () => {
    const first = encodeRecord(a);
    const second = encodeRecord(b);
    for (let cut = 0; cut < second.length - 1; cut++) {
      const out = decodeRecords(Buffer.concat([first, second.subarray(0, cut)]));
      expect(out.records.map((r) => r.value)).toEqual([a]);
      expect(out.tornTailBytes).toBe(cut);
    }
  });

  it('skips a zero-filled tail (power loss after the size was extended)', () => {
    const out = decodeRecords(Buffer.concat([encodeRecord(a), Buffer.alloc(100)]));
    expect(out.records).toHaveLength(1);
    expect(out.tornTailBytes).toBe(100);
  });

  it('counts and skips a damaged record in the middle, keeping the ones around it', () => {
    const mid = encodeRecord({ t: 'b', s: 2, events: [] });
    mid[15] = mid[15]! ^ 0x01; // flip a bit inside the JSON
    const out = decodeRecords(Buffer.concat([encodeRecord(a), mid, encodeRecord(b)]));
    expect(out.records.map((r) => r.value)).toEqual([a, b]);
    expect(out.corrupt).toBe(1);
  });

  it('rejects a torn line that happens to end in a newline byte', () => {
    const rec = encodeRecord(a);
    const out = decodeRecords(Buffer.concat([rec.subarray(0, 20), Buffer.from('\n')]));
    expect(out.records).toHaveLength(0);
    expect(out.corrupt).toBe(1);
  });
});
