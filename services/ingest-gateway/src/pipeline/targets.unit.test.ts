import type { TrackstreamEvent } from '@trackstream/events';
import { TestEvents } from '@trackstream/projection-core/testing';
import { checkTargets, targetProblems, targetQuery, type CollabTargetDirectory } from './targets';

const ev = new TestEvents('p');
const N = '00000000-0000-4000-8000-0000000000aa';
const nothing = { runs: new Set<string>(), experiments: new Set<string>(), notes: new Map() };
const k = (a: string, b: string) => `${a}\u0000${b}`;

describe('step targets', () => {
  it('given a note on a run the batch starts, then nothing needs looking up', () => {
    expect(targetQuery([ev.runStarted('e', 'r1'), ev.noteAdded('e', 'r1', N, 'x'), ev.noteEdited('e', 'r1', N, 'y')] as TrackstreamEvent[])).toBeNull();
  });

  it('given notes, stars and views on unknown targets, then each is a problem naming the field', () => {
    const events = [ev.noteAdded('e', 'r9', N, 'x'), ev.viewSaved('e9', { name: 'v' }), ev.noteEdited('e', 'r1', N.replace('aa', 'bb'), 'y')] as TrackstreamEvent[];
    expect(targetQuery(events)).toEqual({ runs: [{ project: 'p', run_id: 'r9' }, { project: 'p', run_id: 'r1' }], experiments: [{ project: 'p', experiment_id: 'e9' }], notes: [N.replace('aa', 'bb')] });
    expect(targetProblems(events, { ...nothing, runs: new Set([k('p', 'r1')]) })).toEqual([
      { index: 0, path: 'events[0].run_id', message: 'no run "r9" in project "p"' },
      { index: 1, path: 'events[1].experiment_id', message: 'no experiment "e9" in project "p"' },
      { index: 2, path: 'events[2].payload.note_id', message: `no note ${N.replace('aa', 'bb')} on this run` },
    ]);
  });

  it('given a note stored on another run, when edited through this run, then refused; a note deleted earlier in the batch cannot be edited', () => {
    const found = { runs: new Set([k('p', 'r1'), k('p', 'r2')]), experiments: new Set<string>(), notes: new Map([[N, { project: 'p', experiment_id: 'e', run_id: 'r2' }]]) };
    expect(targetProblems([ev.noteEdited('e', 'r1', N, 'y')] as TrackstreamEvent[], found)).toHaveLength(1);
    expect(targetProblems([ev.noteDeleted('e', 'r2', N), ev.noteEdited('e', 'r2', N, 'y')] as TrackstreamEvent[], found)).toEqual([expect.objectContaining({ index: 1 })]);
  });

  it('given a directory that fails, then TARGETS_UNAVAILABLE (retriable); given no directory, then nothing is checked', async () => {
    const failing: CollabTargetDirectory = { lookup: () => Promise.reject(new Error('down')) };
    await expect(checkTargets([ev.noteAdded('e', 'r1', N, 'x')] as TrackstreamEvent[], failing)).rejects.toMatchObject({ code: 'TARGETS_UNAVAILABLE', retriable: true });
    await expect(checkTargets([ev.noteAdded('e', 'r1', N, 'x')] as TrackstreamEvent[], null)).resolves.toBeUndefined();
    const empty: CollabTargetDirectory = { lookup: async () => nothing };
    await expect(checkTargets([ev.noteAdded('e', 'r1', N, 'x')] as TrackstreamEvent[], empty)).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND', status: 404 });
  });
});
