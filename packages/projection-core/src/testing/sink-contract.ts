import type { StoredEvent } from '@trackstream/events';
import type { ProjectionSink } from '../ports';
import { batchOf, recordsOf, TestEvents } from './events';

/** One sink over its own freshly created, isolated storage (test schema / database). */
export interface SinkContractSubject {
  sink: ProjectionSink;
  /** What the projection answers queries from, canonically ordered, without times of the apply itself. */
  snapshot(): Promise<unknown>;
  /** Closes the sink and removes its storage. */
  cleanup(): Promise<void>;
}

/**
 * The behaviour every ProjectionSink must have, as given/when/then tests. Each adapter's test file calls this with
 * a factory for fresh subjects: `describeProjectionSinkContract('postgres', async () => ({ sink, snapshot, cleanup }))`.
 */
export function describeProjectionSinkContract(name: string, create: () => Promise<SinkContractSubject>): void {
  describe(`ProjectionSink contract: ${name}`, () => {
    const TOPIC = 'contract.events';
    const open: SinkContractSubject[] = [];
    const fresh = async (): Promise<SinkContractSubject> => {
      const s = await create();
      open.push(s);
      await s.sink.setup();
      return s;
    };
    afterEach(async () => {
      while (open.length > 0) await open.pop()!.cleanup();
    });

    const applyAll = async (s: SinkContractSubject, events: StoredEvent[], batchSize: number, partition = 0) => {
      for (let i = 0; i < events.length; i += batchSize) {
        await s.sink.apply(batchOf(TOPIC, partition, events.slice(i, i + batchSize), i));
      }
    };

    it('given a set-up store, when setup runs again, then it succeeds and no checkpoint exists', async () => {
      const s = await fresh();
      await s.sink.setup();
      expect(await s.sink.loadCheckpoints(TOPIC)).toEqual(new Map());
    });

    it('given a batch, when applied, then its partition checkpoint is the batch nextOffset and no other partition or topic has one', async () => {
      const s = await fresh();
      const events = new TestEvents().sampleStream('exp-cp', 1);
      await s.sink.apply(batchOf(TOPIC, 3, events, 40));
      expect(await s.sink.loadCheckpoints(TOPIC)).toEqual(new Map([[3, String(40 + events.length)]]));
      expect(await s.sink.loadCheckpoints('another.topic')).toEqual(new Map());
    });

    it('given an empty store, when a stream is applied, then the projection is no longer empty', async () => {
      const s = await fresh();
      const empty = await s.snapshot();
      await applyAll(s, new TestEvents().sampleStream(), 1000);
      expect(await s.snapshot()).not.toEqual(empty);
    });

    it('given an applied batch, when the same batch is redelivered, then no query result and no checkpoint changes', async () => {
      const s = await fresh();
      const batch = batchOf(TOPIC, 0, new TestEvents().sampleStream());
      await s.sink.apply(batch);
      const once = await s.snapshot();
      await s.sink.apply(batch);
      expect(await s.snapshot()).toEqual(once);
      expect(await s.sink.loadCheckpoints(TOPIC)).toEqual(new Map([[0, batch.nextOffset]]));
    });

    it('given a stream, when applied one event per batch, then the result equals applying it as one batch', async () => {
      const events = new TestEvents().sampleStream('exp-split', 3);
      const whole = await fresh();
      const split = await fresh();
      await applyAll(whole, events, events.length);
      await applyAll(split, events, 1);
      expect(await split.snapshot()).toEqual(await whole.snapshot());
      expect(await split.sink.loadCheckpoints(TOPIC)).toEqual(new Map([[0, String(events.length)]]));
    });

    it('given an event already applied, when it arrives again at a later offset (producer retry), then it counts once', async () => {
      const events = new TestEvents().sampleStream('exp-dup', 2);
      const clean = await fresh();
      const retried = await fresh();
      await applyAll(clean, events, 5);
      await applyAll(retried, [...events.slice(0, 8), ...events.slice(3, 6), ...events.slice(8)], 5);
      expect(await retried.snapshot()).toEqual(await clean.snapshot());
    });

    it('given run events on one partition and their experiment on another, when applied in either order, then the results are equal', async () => {
      const events = new TestEvents().sampleStream('exp-order', 2);
      const [experiment, ...runEvents] = events;
      const inOrder = await fresh();
      const reversed = await fresh();
      await inOrder.sink.apply(batchOf(TOPIC, 1, [experiment!], 0));
      await inOrder.sink.apply(batchOf(TOPIC, 0, runEvents, 0));
      await reversed.sink.apply(batchOf(TOPIC, 0, runEvents, 0));
      await reversed.sink.apply(batchOf(TOPIC, 1, [experiment!], 0));
      expect(await reversed.snapshot()).toEqual(await inOrder.snapshot());
      expect(await reversed.sink.loadCheckpoints(TOPIC)).toEqual(new Map([[0, String(runEvents.length)], [1, '1']]));
    });

    it('given an empty batch (every record went to the DLQ), when applied, then only the checkpoint moves', async () => {
      const s = await fresh();
      await applyAll(s, new TestEvents().sampleStream('exp-empty', 1), 100);
      const before = await s.snapshot();
      await s.sink.apply({ topic: TOPIC, partition: 0, records: [], nextOffset: '500' });
      expect(await s.snapshot()).toEqual(before);
      expect((await s.sink.loadCheckpoints(TOPIC)).get(0)).toBe('500');
    });

    it('given a checkpoint, when an older batch is applied again, then the checkpoint does not move backwards and nothing changes', async () => {
      const s = await fresh();
      const events = new TestEvents().sampleStream('exp-back', 2);
      await applyAll(s, events, 4);
      const before = await s.snapshot();
      await s.sink.apply({ topic: TOPIC, partition: 0, records: recordsOf(events.slice(0, 4)), nextOffset: '4' });
      expect(await s.snapshot()).toEqual(before);
      expect((await s.sink.loadCheckpoints(TOPIC)).get(0)).toBe(String(events.length));
    });
  });
}
