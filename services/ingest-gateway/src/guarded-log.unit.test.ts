import type { LogPositions, StoredEvent } from '@trackstream/events';
import { EventLogError, EventLogRejectedError, type EventLog } from '@trackstream/kafka';
import { noopLogger } from '@trackstream/telemetry';
import { GatewayError } from './errors';
import { GuardedEventLog } from './guarded-log';

/** A log whose next outcome the test sets. Pure breaker logic: no Kafka involved. */
class ScriptedLog implements EventLog {
  readonly topic = 't';
  failWith: Error | null = null;
  calls = 0;
  async append(): Promise<LogPositions> {
    this.calls++;
    if (this.failWith) throw this.failWith;
    return { topic: 't', positions: { 0: '1' } };
  }
  async close(): Promise<void> {}
}

const events: StoredEvent[] = [];
const signal = () => new AbortController().signal;

describe('GuardedEventLog', () => {
  let log: ScriptedLog;
  let guarded: GuardedEventLog;
  beforeEach(() => {
    log = new ScriptedLog();
    guarded = new GuardedEventLog(log, { resetTimeoutMs: 200, errorThresholdPercentage: 50, volumeThreshold: 3, rollingWindowMs: 10_000 }, noopLogger);
  });
  afterEach(() => guarded.shutdown());

  it('given the log keeps failing, when appends continue, then the circuit opens and fails fast with LOG_UNAVAILABLE and a Retry-After, without calling the log', async () => {
    log.failWith = new EventLogError('LOG_UNAVAILABLE', 'broker down');
    for (let i = 0; i < 3; i++) await expect(guarded.append(events, signal())).rejects.toMatchObject({ code: 'LOG_UNAVAILABLE' });
    expect(guarded.state()).toBe('open');
    const before = log.calls;
    const err = (await guarded.append(events, signal()).catch((e: unknown) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe('LOG_UNAVAILABLE');
    expect(err.status).toBe(503);
    expect(err.extra.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(log.calls).toBe(before);
  });

  it('given an open circuit, when the reset time has passed and the log works again, then one trial append closes it', async () => {
    log.failWith = new EventLogError('LOG_TIMEOUT', 'slow');
    for (let i = 0; i < 3; i++) await guarded.append(events, signal()).catch(() => undefined);
    expect(guarded.state()).toBe('open');
    log.failWith = null;
    await new Promise((r) => setTimeout(r, 250));
    expect(guarded.state()).toBe('half_open');
    await expect(guarded.append(events, signal())).resolves.toEqual({ topic: 't', positions: { 0: '1' } });
    expect(guarded.state()).toBe('closed');
  });

  it('given failures that are not outages (client gone, records refused), when they repeat, then the circuit stays closed', async () => {
    log.failWith = new GatewayError('CLIENT_CLOSED_REQUEST', 'gone');
    for (let i = 0; i < 5; i++) await guarded.append(events, signal()).catch(() => undefined);
    log.failWith = new EventLogRejectedError('too large');
    for (let i = 0; i < 5; i++) await expect(guarded.append(events, signal())).rejects.toMatchObject({ code: 'LOG_REJECTED', retriable: false });
    expect(guarded.state()).toBe('closed');
  });
});
