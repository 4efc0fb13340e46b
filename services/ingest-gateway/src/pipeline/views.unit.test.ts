import type { TrackstreamEvent } from '@trackstream/events';
import { TestEvents } from '@trackstream/projection-core/testing';
import { checkViews, viewProblems } from './views';

const ev = new TestEvents('p');

describe('step views', () => {
  it('given views in the search grammar, then no problem', () => {
    expect(viewProblems([ev.viewSaved('e', { name: 'v', filter: "metrics.loss < 0.5 AND params.lr = '0.1'", order_by: ['metrics.loss ASC'] }), ev.viewSaved('e', { name: 'w' })] as TrackstreamEvent[])).toEqual([]);
  });

  it('given a filter or an order the search refuses, then VALIDATION_FAILED naming the field', () => {
    const events = [ev.runStarred('e', 'r', true), ev.viewSaved('e', { name: 'v', filter: 'metrics.loss <', order_by: ['sideways.x'] })] as TrackstreamEvent[];
    expect(viewProblems(events)).toEqual([
      { index: 1, path: 'events[1].payload.filter', message: expect.any(String) },
      { index: 1, path: 'events[1].payload.order_by', message: expect.any(String) },
    ]);
    expect(() => checkViews(events)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400 }));
  });
});
