import { randomUUID } from 'node:crypto';
import { LIMITS } from '@trackstream/events';
import { endpointsFromEnv, uniqueName } from '@trackstream/testkit';
import { deleteTopic, metricsEventJson, postEvents, startTestGateway, type TestGateway } from './test-support';

// Issue 8: "under a 10× burst the gateway answers only 202 or 429 (never 5xx or a timeout)". The static budget
// (256 requests, 64 MiB) admits far more large batches than the gateway finishes within a short deadline; admission
// by expected work has to turn the excess into 429s while everything it admits still gets its 202 in time.
describe('ingest gateway flooded with more large batches than it can finish within its deadline', () => {
  const DEADLINE_MS = 3000;
  const CLIENTS = 32;
  const MAX_ATTEMPTS = 60;
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({ brokers: endpointsFromEnv().kafkaBrokers, topic: uniqueName('gateway_admission'), deadlineMs: DEADLINE_MS });
  });
  afterAll(async () => {
    await gw.stop();
    await deleteTopic(gw.kafka, gw.topic);
  });

  it('given concurrent ~1 MB batches retried on 429, then every answer is 202 or 429 OVERLOADED with Retry-After, and every 202 batch is in the topic exactly once', async () => {
    // ~1.3 MB of JSON each (150 events × 100 points): 32 at once is ~41 MB, inside the static 64 MiB budget, and
    // several times what this gateway finishes in 3 s. With adaptive admission off (`admission: {enabled: false}`)
    // this flood got 408 and 503 answers (checked when the test was written): the assertions below fail.
    const batches = Array.from({ length: CLIENTS }, (_, c) => {
      const run = `run-flood-${c}-${randomUUID().slice(0, 8)}`;
      return Array.from({ length: 150 }, (_, step) => metricsEventJson(run, 100, step));
    });
    const bodies = batches.map((events) => JSON.stringify({ events }));
    expect(bodies[0]!.length).toBeGreaterThan(LIMITS.batchBytes / 8);

    const answers: { status: number; code?: string; reason?: string; retryAfter: string | null }[] = [];
    /** A client that honours Retry-After (spread a little, as real clients' jitter does) until its batch is accepted. */
    const client = async (body: string): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        const res = await postEvents(gw.url, body);
        const retryAfter = res.headers.get('retry-after');
        answers.push({ status: res.status, code: res.body?.error?.code, reason: res.body?.error?.details?.reason, retryAfter });
        if (res.status !== 429 || attempt === MAX_ATTEMPTS) return res.status;
        await new Promise((r) => setTimeout(r, 1000 * Number(retryAfter ?? 1) * (0.5 + Math.random())));
      }
    };
    const final = await Promise.all(bodies.map(client));

    const statuses = [...new Set(answers.map((a) => a.status))].sort();
    expect(statuses).toEqual([202, 429]);
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(a.code).toBe('OVERLOADED');
      // The static limits are never reached here: every refusal is the expected-work one.
      expect(a.reason).toBe('EXPECTED_WORK');
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Refused early, each client got in on a later attempt: nobody starved.
    expect(final.every((s) => s === 202)).toBe(true);

    // Exactly the 202'd batches are in the topic, each event once (a 429 appends nothing).
    const accepted = batches.filter((_, i) => final[i] === 202).flatMap((events) => events.map((e) => e.event_id as string));
    const stored = (await gw.readEvents()).map((r) => r.event.event_id);
    expect(stored.length).toBe(accepted.length);
    expect(new Set(stored)).toEqual(new Set(accepted));

    // The limit in force is exported, between one maximum-size batch and the static limit.
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const limit = Number(/^trackstream_gateway_inflight_limit_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1]);
    expect(limit).toBeGreaterThanOrEqual(LIMITS.batchBytes);
    expect(limit).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(Number(/^trackstream_gateway_completed_bytes_per_second(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  }, 180_000);
});
