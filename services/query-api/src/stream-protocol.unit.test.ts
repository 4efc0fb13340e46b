import { checkpointsMoved, decodeRunCursor, digestChanged, encodeRunCursor, EMPTY_CURSOR, seriesNeed, sseFrame, tailFor } from './stream-protocol';
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
  it('round-trips marks (last step, count) and status', () => {
    const c = { marks: { loss: { step: 11, count: 12 }, 'val/acc': { step: -2, count: 3 } }, status: 'RUNNING' };
    expect(decodeRunCursor(encodeRunCursor(c))).toEqual(c);
  });
  it('starts from the beginning on a missing, foreign, older-version or malformed id', () => {
    const older = Buffer.from(JSON.stringify({ c: { loss: 3 }, s: null })).toString('base64url');
    for (const raw of [undefined, '', 'not-base64!', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"v":2,"k":[1]}').toString('base64url'), older]) {
      expect(decodeRunCursor(raw)).toEqual(EMPTY_CURSOR);
    }
  });
  it('drops marks that are not an integer step and a non-negative integer count', () => {
    const raw = Buffer.from(JSON.stringify({ v: 2, k: { a: [4, 2], b: [1, -1], c: [1.5, 1], d: 'x', e: [1] }, s: 5 })).toString('base64url');
    expect(decodeRunCursor(raw)).toEqual({ marks: { a: { step: 4, count: 2 } }, status: null });
  });
});

describe('seriesNeed', () => {
  const mark = { step: 9, count: 10 };
  it('given no mark, then the first frame', () => {
    expect(seriesNeed(undefined, { count: 0, lastStep: 0 })).toBe('frame');
  });
  it('given the series as marked, then nothing', () => {
    expect(seriesNeed(mark, { count: 10, lastStep: 9 })).toBe('none');
  });
  it('given it grew past the last step, then only the tail', () => {
    expect(seriesNeed(mark, { count: 12, lastStep: 11 })).toBe('tail');
  });
  it('given a point at an earlier step (count grew, last step did not) or a shrunk series, then the frame again', () => {
    expect(seriesNeed(mark, { count: 11, lastStep: 9 })).toBe('frame');
    expect(seriesNeed(mark, { count: 8, lastStep: 9 })).toBe('frame');
    expect(seriesNeed(mark, { count: 9, lastStep: 12 })).toBe('frame');
  });
});

describe('tailFor', () => {
  const pts = (...steps: number[]) => steps.map((step) => ({ step }));
  it('gives a subscriber only the points after its own last step and moves its mark', () => {
    expect(tailFor({ step: 9, count: 10 }, pts(8, 9, 10, 11), 12)).toEqual({ points: pts(10, 11), mark: { step: 11, count: 12 } });
  });
  it('keeps the mark when nothing is after it', () => {
    expect(tailFor({ step: 11, count: 12 }, pts(10, 11), 12)).toEqual({ points: [], mark: { step: 11, count: 12 } });
  });
  it('refuses when the series holds more than the mark plus the tail (a late point at an earlier step)', () => {
    expect(tailFor({ step: 9, count: 10 }, pts(10), 12)).toBeNull();
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
