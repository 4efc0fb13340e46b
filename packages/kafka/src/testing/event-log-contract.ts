import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@trackstream/events';
import type { EventLog } from '../event-log';

/** What a contract run needs from an adapter: a fresh, empty log and a way to read back what is in it. */
export interface EventLogFixture {
  log: EventLog;
  /** Every record in the log, in partition then offset order. */
  read(): Promise<{ partition: number; offset: string; key: string | null; event: StoredEvent }[]>;
  cleanup(): Promise<void>;
}

const NOW = 1_763_900_000_000;

function metrics(run: string, step: number): StoredEvent {
  return {
    event_id: randomUUID(),
    type: 'metrics_logged',
    project: 'vision',
    experiment_id: 'exp-contract',
    run_id: run,
    occurred_at: NOW + step,
    received_at: NOW + step + 5,
    principal: 'contract',
    payload: { points: [{ key: 'loss', value: 1 / (step + 1), step, timestamp: NOW + step }, { key: 'nan', value: Number.NaN, step, timestamp: NOW + step }] },
  };
}

function experiment(id: string): StoredEvent {
  return {
    event_id: randomUUID(),
    type: 'experiment_created',
    project: 'vision',
    experiment_id: id,
    run_id: null,
    occurred_at: NOW,
    received_at: NOW + 1,
    principal: 'contract',
    payload: { name: `name of ${id}`, description: null, tags: { team: 'cv' } },
  };
}

/**
 * The EventLog port's contract; every adapter's integration test runs it. Given/when/then in the names.
 */
export function describeEventLogContract(adapter: string, fixture: () => Promise<EventLogFixture>): void {
  describe(`EventLog contract: ${adapter}`, () => {
    let f: EventLogFixture;
    beforeEach(async () => {
      f = await fixture();
    });
    afterEach(async () => {
      await f.log.close();
      await f.cleanup();
    });

    it('given events of several runs, when appended, then each is stored once, decodable, keyed by run (experiment for experiment events), at the positions returned', async () => {
      const events = [experiment('exp-a'), metrics('run-a', 0), metrics('run-b', 0), metrics('run-a', 1), metrics('run-c', 0)];
      const positions = await f.log.append(events);

      const records = await f.read();
      expect(records.map((r) => r.event)).toEqual(expect.arrayContaining(events));
      expect(records).toHaveLength(events.length);
      for (const r of records) expect(r.key).toBe(r.event.run_id ?? r.event.experiment_id);

      const highest: Record<number, string> = {};
      for (const r of records) highest[r.partition] = r.offset;
      expect(positions).toEqual({ topic: f.log.topic, positions: highest });
    });

    it('given many events of one run, when appended in several calls, then they stay in order in one partition', async () => {
      const steps = Array.from({ length: 30 }, (_, i) => metrics('run-ordered', i));
      await f.log.append(steps.slice(0, 10));
      await Promise.all([f.log.append(steps.slice(10, 20))]);
      await f.log.append(steps.slice(20));

      const records = await f.read();
      expect(new Set(records.map((r) => r.partition)).size).toBe(1);
      expect(records.map((r) => r.event.event_id)).toEqual(steps.map((e) => e.event_id));
    });

    it('given concurrent appends, when they complete, then each gets its own positions and all events are stored', async () => {
      const batches = Array.from({ length: 8 }, (_, b) => Array.from({ length: 5 }, (_, i) => metrics(`run-${b}-${i % 2}`, i)));
      const results = await Promise.all(batches.map((batch) => f.log.append(batch)));

      const records = await f.read();
      expect(records).toHaveLength(40);
      const byId = new Map(records.map((r) => [r.event.event_id, r]));
      batches.forEach((batch, b) => {
        const highest: Record<number, string> = {};
        for (const e of batch) {
          const r = byId.get(e.event_id)!;
          const prev = highest[r.partition];
          if (prev === undefined || BigInt(r.offset) > BigInt(prev)) highest[r.partition] = r.offset;
        }
        expect(results[b]!.positions).toEqual(highest);
      });
    });

    it('given an empty append, when it completes, then no positions are named and nothing is stored', async () => {
      expect(await f.log.append([])).toEqual({ topic: f.log.topic, positions: {} });
      expect(await f.read()).toEqual([]);
    });

    it('given an aborted signal, when appending, then it rejects and stores nothing', async () => {
      const controller = new AbortController();
      controller.abort(new Error('caller gave up'));
      await expect(f.log.append([metrics('run-x', 0)], { signal: controller.signal })).rejects.toMatchObject({ code: 'LOG_TIMEOUT', retriable: true });
      expect(await f.read()).toEqual([]);
    });

    it('given a batch with an event that cannot be stored, when appended, then it rejects as not retriable and none of the batch is stored', async () => {
      const broken = { ...metrics('run-z', 1), payload: { points: [{ key: 'loss', value: 'high', step: 1, timestamp: NOW }] } } as unknown as StoredEvent;
      await expect(f.log.append([metrics('run-z', 0), broken])).rejects.toMatchObject({ code: 'LOG_REJECTED', retriable: false });
      expect(await f.read()).toEqual([]);
    });

    it('given a closed log, when appending, then it rejects with LOG_CLOSED', async () => {
      await f.log.append([metrics('run-y', 0)]);
      await f.log.close();
      await expect(f.log.append([metrics('run-y', 1)])).rejects.toMatchObject({ code: 'LOG_CLOSED', retriable: false });
    });
  });
}
