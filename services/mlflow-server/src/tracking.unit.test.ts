import type { LogPositions, StoredEvent } from '@trackstream/events';
import { EventLogError, type EventLog } from '@trackstream/kafka';
import { MlflowError } from '@trackstream/mlflow-protocol';
import type { ExperimentRecord, ReadModel } from '@trackstream/read-model';
import { noopLogger } from '@trackstream/telemetry';
import { compileOptions } from './options';
import { PG_AND_CH, PG_ONLY, Tracking } from './tracking';

// The write path of the tracking core with in-memory stand-ins for the log and the read model.
class FakeLog implements EventLog {
  readonly topic = 't';
  appended: StoredEvent[] = [];
  failWith: Error | null = null;
  async append(events: readonly StoredEvent[]): Promise<LogPositions> {
    if (this.failWith) throw this.failWith;
    this.appended.push(...events);
    return { topic: 't', positions: { 0: String(this.appended.length - 1) } };
  }
  async close(): Promise<void> {}
}

function setup(opts: { visible?: boolean; experiments?: ExperimentRecord[] } = {}) {
  const log = new FakeLog();
  const waits: unknown[] = [];
  const readModel = {
    waitFor: async (_p: LogPositions, stores: unknown) => {
      waits.push(stores);
      return opts.visible ?? true;
    },
    experimentRecords: async () => opts.experiments ?? [],
  } as unknown as ReadModel;
  let id = 0;
  const t = new Tracking(compileOptions({ eventLog: log, readModel, logger: noopLogger, auth: { mode: 'off' }, now: () => 1_000, uuid: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}`, readYourWritesWaitMs: 50 }));
  return { t, log, waits };
}

const caller = { project: 'p', principal: 'ada' };
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof MlflowError) return `${e.code} ${e.status} ${e.retryAfterSeconds ?? '-'}`;
    throw e;
  }
};

describe('tracking writes', () => {
  it('given valid drafts, then stamped events are appended and the write waits for the stores asked', async () => {
    const { t, log, waits } = setup();
    await t.append(caller, [{ type: 'tags_set', experiment_id: 'e1', run_id: 'r1', payload: { tags: { a: 'b' } } }], PG_AND_CH);
    expect(log.appended).toEqual([
      { event_id: '00000000-0000-4000-8000-000000000001', type: 'tags_set', project: 'p', experiment_id: 'e1', run_id: 'r1', occurred_at: 1_000, payload: { tags: { a: 'b' } }, received_at: 1_000, principal: 'ada' },
    ]);
    expect(waits).toEqual([PG_AND_CH]);
  });
  it("given a draft the gateway's validation refuses, then INVALID_PARAMETER_VALUE naming the field and nothing appended", async () => {
    const { t, log } = setup();
    const p = t.append(caller, [{ type: 'tags_set', experiment_id: 'e1', run_id: 'r1', payload: { tags: { a: 'v'.repeat(5001) } } }], PG_ONLY);
    await expect(p).rejects.toThrow(/tags/);
    expect(await failure(t.append(caller, [{ type: 'tags_set', experiment_id: 'bad id!', run_id: 'r1', payload: { tags: {} } }], PG_ONLY))).toBe('INVALID_PARAMETER_VALUE 400 -');
    expect(log.appended).toEqual([]);
  });
  it('given the log unavailable, then 503 with Retry-After; a refused record is a 400', async () => {
    const { t, log } = setup();
    log.failWith = new EventLogError('LOG_UNAVAILABLE', 'down');
    expect(await failure(t.append(caller, [{ type: 'run_deleted', experiment_id: 'e', run_id: 'r', payload: {} }], PG_ONLY))).toBe('TEMPORARILY_UNAVAILABLE 503 1');
    log.failWith = new EventLogError('LOG_REJECTED', 'too large');
    expect(await failure(t.append(caller, [{ type: 'run_deleted', experiment_id: 'e', run_id: 'r', payload: {} }], PG_ONLY))).toBe('INVALID_PARAMETER_VALUE 400 -');
  });
  it('given a write not visible within the bound, then 503 with Retry-After (it is in the log)', async () => {
    const { t, log } = setup({ visible: false });
    expect(await failure(t.append(caller, [{ type: 'run_deleted', experiment_id: 'e', run_id: 'r', payload: {} }], PG_ONLY))).toBe('TEMPORARILY_UNAVAILABLE 503 1');
    expect(log.appended).toHaveLength(1);
  });
  it("given a project's first request, then its Default experiment is created once with a derived event id", async () => {
    const { t, log } = setup();
    await t.ensureDefault(caller);
    await t.ensureDefault(caller);
    expect(log.appended.map((e) => [e.type, e.experiment_id, (e.payload as { name: string }).name])).toEqual([['experiment_created', '0.p', 'Default']]);
    const again = setup();
    await again.t.ensureDefault(caller);
    expect(again.log.appended[0]!.event_id).toBe(log.appended[0]!.event_id);
  });
  it('given name-checked work of one project, then it runs one at a time', async () => {
    const { t } = setup();
    const order: string[] = [];
    const slow = (name: string, ms: number) => t.withNameLock('p', async () => {
      order.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`end ${name}`);
    });
    await Promise.all([slow('a', 20), slow('b', 1)]);
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
