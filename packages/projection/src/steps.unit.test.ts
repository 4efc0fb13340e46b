import type { KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';
import { decodeEvent, encodeEvent, type StoredEvent } from '@trackstream/events';
import { ProjectionError, type ProjectionBatch, type ProjectionSink } from '@trackstream/projection-core';
import { TestEvents } from '@trackstream/projection-core/testing';
import { noopLogger } from '@trackstream/telemetry';
import { PartitionCheckpoints } from './checkpoints';
import { AdvisoryCommits, lagOf } from './commits';
import { consumerConfig } from './consumer';
import { ProjectorMetrics } from './metrics';
import { compileRuntimeOptions, RUNTIME_DEFAULTS, type ProjectionRuntimeOptions } from './options';
import { PartitionPauses, type PausableConsumer } from './pauses';
import { applyChunk, RetryLater, type ChunkDeps } from './poison-handling';

const sinkStub = (apply: (b: ProjectionBatch) => Promise<void> = async () => undefined): ProjectionSink => ({
  name: 'postgres',
  setup: async () => undefined,
  loadCheckpoints: async () => new Map(),
  apply,
  close: async () => undefined,
});

function rawOptions(over: Partial<ProjectionRuntimeOptions> = {}): ProjectionRuntimeOptions {
  return { brokers: ['b:9092'], topic: 't', dlqTopic: 'dlq', groupId: 'g', sink: sinkStub(), logger: noopLogger, metrics: new ProjectorMetrics(new Registry(), 'postgres'), ...over };
}

function message(offset: number, event: StoredEvent | null): KafkaMessage {
  return { offset: String(offset), key: Buffer.from('k'), value: event === null ? null : encodeEvent(event), headers: {}, timestamp: '0', attributes: 0 } as unknown as KafkaMessage;
}

describe('options: compiled once', () => {
  it('given no tuning, when compiled, then every default applies and the result is frozen', () => {
    const o = compileRuntimeOptions(rawOptions());
    expect(o.clientId).toBe('g');
    expect(o.sessionTimeoutMs).toBe(RUNTIME_DEFAULTS.sessionTimeoutMs);
    expect(o.maxBytesPerPartition).toBe(4 * 1024 * 1024);
    expect(o.maxRecordsPerApply).toBe(1000);
    expect(o.backoff).toEqual({ initialMs: 250, maxMs: 30_000 });
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.backoff)).toBe(true);
  });

  it('given tuning, when compiled, then it wins over the defaults', () => {
    const o = compileRuntimeOptions(rawOptions({ sessionTimeoutMs: 6_000, backoff: { initialMs: 10, maxMs: 20 }, maxRecordsPerApply: 7, clientId: 'c' }));
    expect([o.sessionTimeoutMs, o.backoff, o.maxRecordsPerApply, o.clientId]).toEqual([6_000, { initialMs: 10, maxMs: 20 }, 7, 'c']);
  });
});

describe('consumer wiring', () => {
  it('derives heartbeat and fetch sizes from the compiled options', () => {
    const c = consumerConfig(compileRuntimeOptions(rawOptions({ sessionTimeoutMs: 6_000, maxBytesPerPartition: 8 * 1024 * 1024, fetchMinBytes: 1024 })));
    expect(c).toMatchObject({ groupId: 'g', allowAutoTopicCreation: false, sessionTimeout: 6_000, heartbeatInterval: 600, maxBytesPerPartition: 8 * 1024 * 1024, maxBytes: 32 * 1024 * 1024, minBytes: 1024, maxWaitTimeInMs: 5_000 });
  });

  it('keeps the heartbeat at 500 ms or more and the fetch at 16 MiB or more', () => {
    const c = consumerConfig(compileRuntimeOptions(rawOptions({ sessionTimeoutMs: 1_000, maxBytesPerPartition: 1024 })));
    expect([c.heartbeatInterval, c.maxBytes]).toEqual([500, 16 * 1024 * 1024]);
  });
});

describe('checkpoint/seek', () => {
  it('given no stored checkpoint, when asked, then the partition starts at 0, read from the sink once', async () => {
    const load = jest.fn(async () => new Map([[1, '5']]));
    const cps = new PartitionCheckpoints(load);
    expect(await cps.of(0)).toBe(0n);
    expect(await cps.of(0)).toBe(0n);
    expect(await cps.of(1)).toBe(5n);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('given a batch ahead of the checkpoint, when decided, then it seeks once, and applies after that', () => {
    const cps = new PartitionCheckpoints(async () => new Map());
    expect(cps.decide(0, 10n, 4n)).toEqual({ kind: 'seek', to: 4n });
    // The log starts after the checkpoint (retention, or records deleted): apply what is there, no seek loop.
    expect(cps.decide(0, 10n, 4n)).toEqual({ kind: 'apply', from: 4n });
    expect(cps.decide(1, 3n, 4n)).toEqual({ kind: 'apply', from: 4n });
  });

  it('given a forgotten partition, when asked again, then the sink is reread and a seek is allowed again', async () => {
    let stored = '2';
    const cps = new PartitionCheckpoints(async () => new Map([[0, stored]]));
    cps.seekedTo(0, 2n);
    expect(cps.decide(0, 10n, 2n)).toEqual({ kind: 'apply', from: 2n });
    stored = '3';
    cps.forget(0);
    expect(await cps.of(0)).toBe(3n);
    expect(cps.decide(0, 10n, 3n)).toEqual({ kind: 'seek', to: 3n });
  });

  it('loads every assigned partition at once after an assignment', async () => {
    const cps = new PartitionCheckpoints(async () => new Map([[2, '9']]));
    expect([...(await cps.loadAll([1, 2]))]).toEqual([[1, 0n], [2, 9n]]);
  });
});

describe('commit/lag', () => {
  it('given applied chunks, when flushed, then the last offset per partition is committed once', async () => {
    const commits = new AdvisoryCommits();
    commits.record(0, 5n);
    commits.record(0, 7n);
    commits.record(3, 2n);
    const commit = jest.fn(async () => undefined);
    await commits.flush('t', commit, () => undefined);
    await commits.flush('t', commit, () => undefined);
    expect(commit).toHaveBeenCalledTimes(1);
    expect(commit).toHaveBeenCalledWith([{ topic: 't', partition: 0, offset: '7' }, { topic: 't', partition: 3, offset: '2' }]);
  });

  it('given a failing commit, when flushed, then the error is reported and not thrown (commits are advisory)', async () => {
    const commits = new AdvisoryCommits();
    commits.record(0, 1n);
    const errors: unknown[] = [];
    await commits.flush('t', async () => { throw new Error('rebalancing'); }, (e) => errors.push(e));
    expect(errors).toHaveLength(1);
  });

  it('computes lag as high watermark minus checkpoint, never negative', () => {
    expect([lagOf(10n, 4n), lagOf(4n, 4n), lagOf(3n, 4n)]).toEqual([6, 0, 0]);
  });
});

describe('poison handling of one chunk', () => {
  const t = new TestEvents();
  function deps(sink: ProjectionSink, letters: { offset: string; code: string }[], dlqDown = false): ChunkDeps {
    return {
      topic: 't',
      sink,
      decode: decodeEvent,
      metrics: new ProjectorMetrics(new Registry(), 'postgres'),
      log: noopLogger,
      deadLetter: async (_p, m, reason, from) => {
        if (dlqDown) throw new RetryLater('DLQ_UNAVAILABLE', from, new Error('dlq down'));
        letters.push({ offset: m.offset, code: reason.code });
      },
    };
  }

  it('given an empty record and a refused one, when applied, then both go to the DLQ and the rest is applied with the chunk checkpoint', async () => {
    const e1 = t.experimentCreated('a');
    const e2 = t.experimentCreated('b');
    const e3 = t.experimentCreated('c');
    const applied: { offsets: string[]; next: string }[] = [];
    const sink = sinkStub(async (b) => {
      if (b.records.some((r) => r.offset === '12')) throw new ProjectionError('ROW_INVALID', 'refused', { retriable: false, offset: '12' });
      applied.push({ offsets: b.records.map((r) => r.offset), next: b.nextOffset });
    });
    const letters: { offset: string; code: string }[] = [];
    const d = deps(sink, letters);
    await applyChunk(d, 0, [message(10, e1), message(11, null), message(12, e2), message(13, e3)], '14');
    expect(letters).toEqual([{ offset: '11', code: 'EVENT_EMPTY' }, { offset: '12', code: 'ROW_INVALID' }]);
    expect(applied).toEqual([{ offsets: ['10', '13'], next: '14' }]);
  });

  it('given a retriable store failure, when applied, then RetryLater names the chunk start and nothing goes to the DLQ', async () => {
    const letters: { offset: string; code: string }[] = [];
    const d = deps(sinkStub(async () => { throw new ProjectionError('STORE_UNAVAILABLE', 'down', { retriable: true }); }), letters);
    const err = await applyChunk(d, 0, [message(20, t.experimentCreated('d')), message(21, t.experimentCreated('e'))], '22').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLater);
    expect([(err as RetryLater).code, (err as RetryLater).from]).toEqual(['STORE_UNAVAILABLE', 20n]);
    expect(letters).toEqual([]);
  });

  it('given a DLQ that cannot be written, when a poison record is met, then the chunk retries from its start', async () => {
    const d = deps(sinkStub(async (b) => {
      if (b.records.length > 0) throw new ProjectionError('ROW_INVALID', 'refused', { retriable: false, offset: '31' });
    }), [], true);
    const err = await applyChunk(d, 0, [message(30, t.experimentCreated('f')), message(31, t.experimentCreated('g'))], '32').catch((e: unknown) => e);
    expect([(err as RetryLater).code, (err as RetryLater).from]).toEqual(['DLQ_UNAVAILABLE', 30n]);
  });
});

describe('retry pauses', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function fakeConsumer() {
    const calls: string[] = [];
    const consumer: PausableConsumer = {
      pause: (tp) => calls.push(`pause ${tp[0]!.partitions.join(',')}`),
      resume: (tp) => calls.push(`resume ${tp[0]!.partitions.join(',')}`),
      seek: (s) => calls.push(`seek ${s.partition}@${s.offset}`),
    };
    return { consumer, calls };
  }

  it('given a retriable failure, when scheduled, then the partition is paused, rewound, forgotten and resumed after the backoff', () => {
    const { consumer, calls } = fakeConsumer();
    const forgotten: number[] = [];
    const pauses = new PartitionPauses({ topic: 't', consumer, backoff: { initialMs: 100, maxMs: 1_000 }, metrics: new ProjectorMetrics(new Registry(), 'postgres'), log: noopLogger, onPause: (p) => forgotten.push(p), stopped: () => false, random: () => 0 });
    pauses.schedule(2, new RetryLater('X', 40n, new Error('down')));
    expect(calls).toEqual(['pause 2', 'seek 2@40']);
    expect(forgotten).toEqual([2]);
    expect(pauses.paused()).toEqual([2]);
    jest.advanceTimersByTime(99);
    expect(calls).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(calls).toEqual(['pause 2', 'seek 2@40', 'resume 2']);
    expect(pauses.paused()).toEqual([]);
  });

  it('given repeated failures, when scheduled, then the wait doubles until a success starts it over', () => {
    const { consumer, calls } = fakeConsumer();
    const pauses = new PartitionPauses({ topic: 't', consumer, backoff: { initialMs: 100, maxMs: 1_000 }, metrics: new ProjectorMetrics(new Registry(), 'postgres'), log: noopLogger, onPause: () => undefined, stopped: () => false, random: () => 0 });
    pauses.schedule(0, new RetryLater('X', 1n, null));
    jest.advanceTimersByTime(100);
    pauses.schedule(0, new RetryLater('X', 1n, null));
    jest.advanceTimersByTime(199);
    expect(calls.filter((c) => c.startsWith('resume'))).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(calls.filter((c) => c.startsWith('resume'))).toHaveLength(2);
    pauses.succeeded(0);
    pauses.schedule(0, new RetryLater('X', 1n, null));
    jest.advanceTimersByTime(100);
    expect(calls.filter((c) => c.startsWith('resume'))).toHaveLength(3);
  });

  it('given a stopped runtime, when scheduled or when the timer fires, then nothing is paused or resumed', () => {
    const { consumer, calls } = fakeConsumer();
    let stopped = false;
    const pauses = new PartitionPauses({ topic: 't', consumer, backoff: { initialMs: 100, maxMs: 1_000 }, metrics: new ProjectorMetrics(new Registry(), 'postgres'), log: noopLogger, onPause: () => undefined, stopped: () => stopped, random: () => 0 });
    pauses.schedule(0, new RetryLater('X', 1n, null));
    stopped = true;
    jest.advanceTimersByTime(100);
    pauses.schedule(1, new RetryLater('X', 1n, null));
    expect(calls).toEqual(['pause 0', 'seek 0@1']);
  });
});
