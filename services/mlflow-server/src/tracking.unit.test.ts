import type { LogPositions, StoredEvent } from '@trackstream/events';
import { EventLogError, type EventLog } from '@trackstream/kafka';
import { MlflowError } from '@trackstream/mlflow-protocol';
import type { ExperimentRecord, ReadModel } from '@trackstream/read-model';
import { noopLogger } from '@trackstream/telemetry';
import { compileOptions } from './options';
import { PG_AND_CH, PG_ONLY, Tracking, laterPositions } from './tracking';

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

function setup(opts: { visible?: boolean; visibleIn?: (stores: { postgres: boolean; clickhouse: boolean }) => boolean; experiments?: ExperimentRecord[] } = {}) {
  const log = new FakeLog();
  const waits: unknown[] = [];
  const positionsWaited: LogPositions[] = [];
  const readModel = {
    waitFor: async (p: LogPositions, stores: { postgres: boolean; clickhouse: boolean }) => {
      waits.push(stores);
      positionsWaited.push(p);
      return opts.visibleIn?.(stores) ?? opts.visible ?? true;
    },
    experimentRecords: async () => opts.experiments ?? [],
  } as unknown as ReadModel;
  let id = 0;
  const t = new Tracking(compileOptions({ eventLog: log, readModel, logger: noopLogger, auth: { mode: 'off' }, now: () => 1_000, uuid: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}`, readYourWritesWaitMs: 50 }));
  return { t, log, waits, positionsWaited };
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

describe('metric writes: Postgres at write time, ClickHouse at history-read time', () => {
  const CH = { postgres: false, clickhouse: true };
  const metric = (step: number) => ({ type: 'metrics_logged' as const, experiment_id: 'e', run_id: 'r', payload: { points: [{ key: 'm', value: 1, step, timestamp: 1 }] } });
  it('given metrics logged, when the write answers, then it waited for Postgres only', async () => {
    const { t, waits } = setup();
    await t.appendWithMetrics(caller, 'r', [metric(0)]);
    expect(waits).toEqual([PG_ONLY]);
  });
  it('given two metric writes to a run, when its history is read, then the read waits for ClickHouse at the later position, once', async () => {
    const { t, waits, positionsWaited } = setup();
    await t.appendWithMetrics(caller, 'r', [metric(0)]);
    await t.appendWithMetrics(caller, 'r', [metric(1)]);
    await t.historyVisible('r');
    expect(waits.slice(2)).toEqual([CH]);
    expect(positionsWaited[2]).toEqual({ topic: 't', positions: { 0: '1' } });
    await t.historyVisible('r');
    expect(waits).toHaveLength(3);
  });
  it('given a run this server never wrote metrics to, then its history read does not wait', async () => {
    const { t, waits } = setup();
    await t.historyVisible('other');
    expect(waits).toEqual([]);
  });
  it('given ClickHouse behind past the bound, then the history read is a 503 with Retry-After and stays pending', async () => {
    const { t, waits } = setup({ visibleIn: (stores) => !stores.clickhouse });
    await t.appendWithMetrics(caller, 'r', [metric(0)]);
    expect(await failure(t.historyVisible('r'))).toBe('TEMPORARILY_UNAVAILABLE 503 1');
    expect(await failure(t.historyVisible('r'))).toBe('TEMPORARILY_UNAVAILABLE 503 1');
    expect(waits).toEqual([PG_ONLY, CH, CH]);
  });
  it('given positions on several partitions, then laterPositions keeps the larger offset of each', () => {
    expect(laterPositions({ topic: 't', positions: { 0: '9', 1: '3' } }, { topic: 't', positions: { 1: '10', 2: '1' } })).toEqual({ topic: 't', positions: { 0: '9', 1: '10', 2: '1' } });
    expect(laterPositions(undefined, { topic: 't', positions: { 0: '1' } })).toEqual({ topic: 't', positions: { 0: '1' } });
  });
});
