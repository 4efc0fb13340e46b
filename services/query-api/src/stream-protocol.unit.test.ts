import { checkpointsMoved, decodeRunCursor, digestChanged, encodeRunCursor, EMPTY_CURSOR, seriesUpdate, sseFrame } from './stream-protocol';
import { compileStreamOptions } from './stream-routes';

describe('SSE framing', () => {
  it('writes id, event and one data line of JSON, ended by a blank line', () => {
    expect(sseFrame({ id: 'abc', event: 'points', data: { a: 'x\ny' } })).toBe('id: abc\nevent: points\ndata: {"a":"x\\ny"}\n\n');
  });
  it('leaves the id out when there is none and strips newlines from an id', () => {
    expect(sseFrame({ event: 'run', data: 1 })).toBe('event: run\ndata: 1\n\n');
    expect(sseFrame({ id: 'a\nb', event: 'run', data: 1 }).startsWith('id: ab\n')).toBe(true);
  });
});

describe('run cursor (Last-Event-ID)', () => {
  it('round-trips counts and status', () => {
    const c = { counts: { loss: 12, 'val/acc': 3 }, status: 'RUNNING' };
    expect(decodeRunCursor(encodeRunCursor(c))).toEqual(c);
  });
  it('starts from the beginning on a missing, foreign or malformed id', () => {
    for (const raw of [undefined, '', 'not-base64!', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"c":[1]}').toString('base64url')]) {
      expect(decodeRunCursor(raw)).toEqual(EMPTY_CURSOR);
    }
  });
  it('drops counts that are not non-negative integers', () => {
    const raw = Buffer.from(JSON.stringify({ c: { a: 2, b: -1, c: 1.5, d: 'x' }, s: 5 })).toString('base64url');
    expect(decodeRunCursor(raw)).toEqual({ counts: { a: 2 }, status: null });
  });
});

describe('seriesUpdate', () => {
  const raw = (n: number) => ({ points: Array.from({ length: n }, (_, i) => i), downsampled: false });
  it('given a subscriber that saw 3 of 5 raw points, when read, then appends the last 2', () => {
    expect(seriesUpdate(3, raw(5))).toEqual({ kind: 'append', points: [3, 4] });
  });
  it('given it saw all, then sends nothing', () => {
    expect(seriesUpdate(5, raw(5))).toBeNull();
  });
  it('given a downsampled series or one shorter than seen, then replaces it whole', () => {
    expect(seriesUpdate(5, { points: [1, 2], downsampled: true })).toEqual({ kind: 'replace', points: [1, 2] });
    expect(seriesUpdate(9, raw(2))).toEqual({ kind: 'replace', points: [0, 1] });
  });
});

describe('change detection', () => {
  const d = { run_id: 'r', status: 'RUNNING', end_time: null, run_name: 'a', metric_counts: { loss: 1 } };
  it('a run digest changes with status, name, end time or any metric count', () => {
    expect(digestChanged(undefined, d)).toBe(true);
    expect(digestChanged(d, { ...d })).toBe(false);
    expect(digestChanged(d, { ...d, status: 'FINISHED' })).toBe(true);
    expect(digestChanged(d, { ...d, metric_counts: { loss: 2 } })).toBe(true);
    expect(digestChanged(d, { ...d, metric_counts: { loss: 1, acc: 1 } })).toBe(true);
  });
  it('checkpoints moved when an offset changed or a partition appeared', () => {
    const a = new Map([[0, 5n]]);
    expect(checkpointsMoved(null, a)).toBe(true);
    expect(checkpointsMoved(a, new Map([[0, 5n]]))).toBe(false);
    expect(checkpointsMoved(a, new Map([[0, 6n]]))).toBe(true);
    expect(checkpointsMoved(a, new Map([[0, 5n], [1, 1n]]))).toBe(true);
  });
});

describe('stream options', () => {
  it('fills defaults, freezes, and refuses a non-positive bound', () => {
    const o = compileStreamOptions({ topic: 't' });
    expect(o).toMatchObject({ topic: 't', pollMs: 200, maxStreams: 500 });
    expect(Object.isFrozen(o)).toBe(true);
    expect(() => compileStreamOptions({ topic: 't', maxStreams: 0 })).toThrow(/maxStreams/);
  });
});
