import { PolicyGate } from './policy';

describe('backpressure policies', () => {
  it('block keeps everything, under pressure or not', () => {
    const g = new PolicyGate('block', 10);
    for (let i = 0; i < 100; i++) expect(g.keep('loss', true, true)).toBe(true);
    expect(g.snapshot()).toMatchObject({ dropped: 0, downsampled: 0 });
  });

  it('downsample keeps every Nth point per key while under pressure, and counts the rest', () => {
    const g = new PolicyGate('downsample', 4);
    const kept: number[] = [];
    for (let i = 0; i < 12; i++) if (g.keep('loss', false, true)) kept.push(i);
    expect(kept).toEqual([0, 4, 8]);
    // Keys are independent: a new key starts with a kept point.
    expect(g.keep('acc', false, true)).toBe(true);
    expect(g.keep('loss', false, false)).toBe(true); // no pressure: kept, uncounted
    expect(g.snapshot()).toEqual({ dropped: 0, droppedByKey: {}, downsampled: 9, downsampledByKey: { loss: 9 } });
  });

  it('drop drops only debug metrics, only under pressure', () => {
    const g = new PolicyGate('drop', 10);
    expect(g.keep('grad_norm', true, false)).toBe(true);
    expect(g.keep('grad_norm', true, true)).toBe(false);
    expect(g.keep('grad_norm', true, true)).toBe(false);
    expect(g.keep('loss', false, true)).toBe(true);
    expect(g.snapshot()).toMatchObject({ dropped: 2, droppedByKey: { grad_norm: 2 } });
  });

  it('rejects a nonsensical downsampling factor', () => {
    expect(() => new PolicyGate('downsample', 0)).toThrow(RangeError);
  });
});
