import { applyIsolatingPoison, classifyApplyFailure, type ApplyFailure, type PoisonSearchHooks } from './poison';
import { ProjectionError, type DecodedRecord, type ProjectionBatch } from './ports';
import { batchOf, TestEvents } from './testing';

/** A store that refuses some offsets for good; `named` says whether it tells which record it refuses. */
function refusingStore(refused: Set<string>, named: boolean) {
  const applied: { offsets: string[]; nextOffset: string }[] = [];
  const rejected: string[] = [];
  const hooks: PoisonSearchHooks = {
    apply: async (batch: ProjectionBatch) => {
      const bad = batch.records.find((r) => refused.has(r.offset));
      if (bad) throw new ProjectionError('REFUSED', 'refused', { retriable: false, ...(named ? { offset: bad.offset } : {}) });
      applied.push({ offsets: batch.records.map((r) => r.offset), nextOffset: batch.nextOffset });
    },
    reject: async (record: DecodedRecord) => {
      rejected.push(record.offset);
    },
    retry: async (failure: ApplyFailure) => {
      throw new Error(`unexpected retry: ${failure.code}`);
    },
  };
  return { hooks, applied, rejected };
}

function batchOfFive(): ProjectionBatch {
  const t = new TestEvents();
  return batchOf('t', 0, [1, 2, 3, 4, 5].map((i) => t.experimentCreated(`exp-${i}`)), 10);
}

describe('applyIsolatingPoison', () => {
  it('given a store that names the refused record, when applied, then only that record is rejected and the rest applied with the batch checkpoint', async () => {
    const s = refusingStore(new Set(['12']), true);
    await applyIsolatingPoison(batchOfFive(), 10n, s.hooks);
    expect(s.rejected).toEqual(['12']);
    expect(s.applied).toEqual([{ offsets: ['10', '11', '13', '14'], nextOffset: '15' }]);
  });

  it('given a store that does not name the refused record, when applied, then records are applied one at a time and the batch checkpoint last', async () => {
    const s = refusingStore(new Set(['13']), false);
    const isolating: number[] = [];
    await applyIsolatingPoison(batchOfFive(), 10n, { ...s.hooks, isolating: (_f, n) => isolating.push(n) });
    expect(isolating).toEqual([5]);
    expect(s.rejected).toEqual(['13']);
    expect(s.applied).toEqual([
      { offsets: ['10'], nextOffset: '11' },
      { offsets: ['11'], nextOffset: '12' },
      { offsets: ['12'], nextOffset: '13' },
      // The refused record's own checkpoint is still written: its offset is covered.
      { offsets: [], nextOffset: '14' },
      { offsets: ['14'], nextOffset: '15' },
      { offsets: [], nextOffset: '15' },
    ]);
  });

  it('given a retriable failure, when applied, then the retry hook decides and the same batch is applied again', async () => {
    let failures = 2;
    const froms: bigint[] = [];
    const applied: string[][] = [];
    await applyIsolatingPoison(batchOfFive(), 10n, {
      apply: async (batch) => {
        if (failures-- > 0) throw Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
        applied.push(batch.records.map((r) => r.offset));
      },
      reject: async () => {
        throw new Error('nothing may be rejected');
      },
      retry: async (failure, _err, from) => {
        expect(failure).toEqual({ retriable: true, code: 'ECONNREFUSED', message: 'down' });
        froms.push(from);
      },
    });
    expect(froms).toEqual([10n, 10n]);
    expect(applied).toEqual([['10', '11', '12', '13', '14']]);
  });

  it('given an empty batch whose checkpoint the store refuses for good, when applied, then it is retried, never skipped', async () => {
    const retry = jest.fn(async () => {
      throw new Error('paused');
    });
    const empty: ProjectionBatch = { topic: 't', partition: 0, records: [], nextOffset: '7' };
    await expect(
      applyIsolatingPoison(empty, 6n, {
        apply: async () => {
          throw new ProjectionError('CHECKPOINT_REFUSED', 'no', { retriable: false });
        },
        reject: async () => undefined,
        retry,
      }),
    ).rejects.toThrow('paused');
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it('given a retry hook that gives up, when applied, then the error propagates with the offset to retry from', async () => {
    const s = refusingStore(new Set(), false);
    const err = await applyIsolatingPoison(batchOfFive(), 10n, {
      ...s.hooks,
      apply: async () => {
        throw new ProjectionError('STORE_DOWN', 'down', { retriable: true });
      },
      retry: async (_f, _e, from) => {
        throw new Error(`retry from ${from}`);
      },
    }).catch((e: Error) => e.message);
    expect(err).toBe('retry from 10');
  });
});

describe('classifyApplyFailure', () => {
  it('keeps a ProjectionError classification and counts anything else as retriable', () => {
    expect(classifyApplyFailure(new ProjectionError('BAD', 'bad row', { retriable: false, offset: '3' }))).toEqual({ retriable: false, code: 'BAD', message: 'bad row', offset: '3' });
    expect(classifyApplyFailure(new Error('boom'))).toEqual({ retriable: true, code: 'UNKNOWN', message: 'boom' });
  });
});
