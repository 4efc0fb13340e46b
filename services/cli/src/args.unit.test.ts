import { parseFlags, parseTime } from './args';
import { parseCutoff } from './cli';
import { CliError } from './errors';
import { auditTimeline } from './audit';
import { formatEvent, partitionFor } from './history';
import { TestEvents } from '@trackstream/projection-core/testing';

describe('cli arguments', () => {
  it('parses flags in both spellings and refuses unknown ones', () => {
    expect(parseFlags(['--a', 'x', '--b=y', '--switch'], ['a', 'b'], ['switch'])).toEqual({ a: 'x', b: 'y', switch: true });
    expect(() => parseFlags(['--c', 'x'], ['a'])).toThrow(/unknown option --c/);
    expect(() => parseFlags(['--a'], ['a'])).toThrow(/--a needs a value/);
    expect(() => parseFlags(['--a', '--b'], ['a', 'b'])).toThrow(/--a needs a value/);
  });

  it('reads cutoffs as time, ms or partition offsets; a future one is an error', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseCutoff(undefined, now)).toEqual({ kind: 'end' });
    expect(parseCutoff('2025-06-01T00:00:00Z', now)).toEqual({ kind: 'time', ms: Date.UTC(2025, 5, 1) });
    expect(parseCutoff('1700000000000', now)).toEqual({ kind: 'time', ms: 1_700_000_000_000 });
    expect(parseCutoff('0:10,2:5', now)).toEqual({ kind: 'offsets', offsets: new Map([[0, 10n], [2, 5n]]) });
    expect(() => parseCutoff('2027-01-01', now)).toThrow(/in the future/);
    expect(() => parseTime('yesterday', '--until')).toThrow(CliError);
  });
});

describe('export and audit formatting', () => {
  const ev = new TestEvents('proj', 1_763_900_000_000);
  it('csv quotes payload JSON; jsonl carries partition and offset', () => {
    const e = ev.tagsSet('exp', 'run-1', { note: 'a,"b"' });
    const csv = formatEvent({ partition: 2, offset: '7', event: e }, 'csv');
    expect(csv).toContain(`2,7,${e.event_id},tags_set,proj,exp,run-1,`);
    expect(csv.endsWith('"{""tags"":{""note"":""a,\\""b\\""""}}"')).toBe(true);
    expect(JSON.parse(formatEvent({ partition: 2, offset: '7', event: e }, 'jsonl'))).toMatchObject({ partition: 2, offset: '7', type: 'tags_set' });
  });

  it('a run key always maps to one partition', () => {
    expect(partitionFor('run-1', 12, 't')).toBe(partitionFor('run-1', 12, 't'));
    expect(partitionFor('run-1', 12, 't')).toBeLessThan(12);
  });

  it('the timeline flags conflicts and redeliveries', () => {
    const a = ev.paramsLogged('exp', 'r', { lr: '0.1' });
    const b = ev.paramsLogged('exp', 'r', { lr: '0.2' });
    const lines = auditTimeline('run r', [
      { partition: 0, offset: '0', event: a },
      { partition: 0, offset: '1', event: b },
      { partition: 0, offset: '2', event: a },
    ], [{ sourcePartition: '0', sourceOffset: '3', projection: 'postgres', code: 'EVENT_UNDECODABLE', reason: 'bad', at: '' }]);
    const text = lines.join('\n');
    expect(text).toMatch(/CONFLICT param lr: "0.2" ignored, keeps "0.1" \(offset 0\)/);
    expect(text).toMatch(/REDELIVERED event .* \(first at offset 0; applied once\)/);
    expect(text).toMatch(/REJECTED p0@3 by postgres projection: EVENT_UNDECODABLE bad/);
    expect(text).toMatch(/summary: 1 param conflict\(s\), 1 redelivered record\(s\), 1 rejected record\(s\)/);
  });
});
