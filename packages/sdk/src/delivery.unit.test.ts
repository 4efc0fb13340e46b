import { deliver, type DeliveryHooks } from './delivery';
import { retry, ScriptedTransport } from './testing';

function hooks(over: Partial<DeliveryHooks> = {}): DeliveryHooks & { rejected: string[]; retries: number } {
  const h = {
    rejected: [] as string[],
    retries: 0,
    backoff: { baseMs: 1, maxMs: 2 },
    stopped: () => false,
    sleep: async () => true,
    onRetry: () => {
      h.retries++;
    },
    onRejected: (events: string[]) => {
      h.rejected.push(...events);
    },
    ...over,
  };
  return h;
}

const ev = (id: string, pad = '') => JSON.stringify({ event_id: id, pad });

describe('deliver', () => {
  it('halves a batch whose UTF-8 body is over the gateway limit before sending it', async () => {
    const t = new ScriptedTransport();
    const big = 'é'.repeat(1_200_000); // 2 bytes each in UTF-8: 2.4 MB per event, 4.8 MB together
    await deliver(t, [ev('a', big), ev('b', big)], hooks());
    expect(t.bodies.map((b) => b.events.map((e) => e.event_id))).toEqual([['a'], ['b']]);
  });

  it('retries until accepted, re-sending the identical batch', async () => {
    const t = new ScriptedTransport([() => retry(1), () => retry()]);
    const h = hooks();
    expect(await deliver(t, [ev('a'), ev('b')], h)).toBe('delivered');
    expect(h.retries).toBe(2);
    expect(t.bodies).toHaveLength(3);
    expect(new Set(t.bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it('splits a batch the gateway refuses for good, and keeps retrying a single event rather than dropping it', async () => {
    const permanent = () => ({ kind: 'retry' as const, reason: 'HTTP 500', status: 500, retryAfterMs: null, permanent: true });
    const t = new ScriptedTransport([permanent, permanent, permanent, permanent]);
    const h = hooks();
    expect(await deliver(t, [ev('a'), ev('b')], h)).toBe('delivered');
    expect(h.rejected).toEqual([]);
    expect(t.accepted().map((e) => e.event_id)).toEqual(['a', 'b']);
  });

  it('stops when asked, without claiming delivery', async () => {
    const t = new ScriptedTransport([() => retry(), () => retry()]);
    expect(await deliver(t, [ev('a')], hooks({ sleep: async () => false }))).toBe('stopped');
  });
});
