import * as net from 'node:net';
import { randomUUID } from 'node:crypto';
import { decodePositionsToken, LIMITS } from '@trackstream/events';
import { endpointsFromEnv, uniqueName } from '@trackstream/testkit';
import { deleteTopic, metricsEventJson, postEvents, sampleEventsJson, startTestGateway, type TestGateway } from './testing';

/** The event as the log should hold it: JSON's non-finite strings as numbers, plus what the gateway adds. */
function expectedStored(json: Record<string, unknown>, principal: string, receivedBetween: [number, number]): Record<string, unknown> {
  const revive = (v: unknown): unknown =>
    v === 'NaN' ? Number.NaN : v === 'Infinity' ? Number.POSITIVE_INFINITY : v === '-Infinity' ? Number.NEGATIVE_INFINITY : v;
  const copy = structuredClone(json) as { type: string; payload: { points?: { value: unknown }[] } };
  if (copy.type === 'metrics_logged') for (const p of copy.payload.points ?? []) p.value = revive(p.value);
  return { ...copy, principal, received_at: expect.toBeWithin(receivedBetween[0], receivedBetween[1] + 1) };
}

expect.extend({
  toBeWithin(received: unknown, lo: number, hi: number) {
    const pass = typeof received === 'number' && received >= lo && received < hi;
    return { pass, message: () => `expected ${String(received)} to be within [${lo}, ${hi})` };
  },
});
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Expect {
      toBeWithin(lo: number, hi: number): unknown;
    }
  }
}

/** The value of the sample of `name` whose labels include `labels` (label order in the text is not fixed). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2]!.matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('ingest gateway against Kafka', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ brokers: endpointsFromEnv().kafkaBrokers, topic: uniqueName('gateway') });
  });
  afterAll(async () => {
    await gw.stop();
    await deleteTopic(gw.kafka, gw.topic);
  });

  it('given one event of every type, when posted, then 202 comes after Kafka holds each one, decoded equal to what was sent plus received_at and principal', async () => {
    const sent = sampleEventsJson();
    const before = Date.now();
    const res = await postEvents(gw.url, { events: sent }, { 'x-trackstream-principal': 'ada@lab' });
    const after = Date.now();
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(sent.length);

    const ids = new Set(sent.map((e) => e.event_id));
    const records = (await gw.readEvents()).filter((r) => ids.has(r.event.event_id));
    expect(records).toHaveLength(sent.length);
    const byId = new Map(records.map((r) => [r.event.event_id, r]));
    for (const json of sent) {
      const r = byId.get(json.event_id as string);
      expect(r).toBeDefined();
      expect(r!.event).toEqual(expectedStored(json, 'ada@lab', [before, after]));
      expect(r!.key).toBe((json.run_id as string | null) ?? json.experiment_id);
    }
    // The token names the highest offset written per partition.
    const highest: Record<number, string> = {};
    for (const r of records) highest[r.partition] = r.offset;
    expect(decodePositionsToken(res.body.token)).toEqual({ topic: gw.topic, positions: highest });
  });

  it('given a batch near the 4 MiB limit for a single run, when posted, then it is stored whole in one partition and can be read back', async () => {
    const run = `run-big-${randomUUID().slice(0, 8)}`;
    const events = Array.from({ length: 480 }, (_, i) => metricsEventJson(run, 100, i));
    const body = JSON.stringify({ events });
    expect(body.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(body.length).toBeLessThan(LIMITS.batchBytes);
    const res = await postEvents(gw.url, body);
    expect(res.status).toBe(202);
    const positions = decodePositionsToken(res.body.token).positions;
    expect(Object.keys(positions)).toHaveLength(1);
    const stored = (await gw.readEvents()).filter((r) => r.event.run_id === run);
    expect(stored.map((r) => r.event.event_id)).toEqual(events.map((e) => e.event_id));
  });

  it('given no principal header, when posted, then the events are stored as written by anonymous', async () => {
    const [experiment] = sampleEventsJson();
    expect((await postEvents(gw.url, { events: [experiment] })).status).toBe(202);
    const stored = (await gw.readEvents()).find((r) => r.event.event_id === experiment!.event_id);
    expect(stored!.event.principal).toBe('anonymous');
  });

  describe('bad input is refused whole, with a useful message, and nothing is appended', () => {
    const good = () => sampleEventsJson('run-bad-input');
    const withEvent = (patch: (e: any) => void, at = 3): { events: unknown[] } => {
      const events = good();
      patch(events[at]);
      return { events };
    };
    const cases: [string, () => unknown, number, RegExp][] = [
      ['malformed JSON', () => '{"events": [ {"type": ', 400, /not valid JSON/],
      ['a body that is not an object', () => '[1,2]', 400, /events/],
      ['a wrong type (occurred_at as a string)', () => withEvent((e) => (e.occurred_at = 'yesterday')), 400, /events\[3\]\.occurred_at/],
      ['a missing field (no event_id)', () => withEvent((e) => delete e.event_id), 400, /events\[3\]\.event_id/],
      ['a missing run_id on a run event', () => withEvent((e) => (e.run_id = null), 2), 400, /events\[2\]\.run_id/],
      ['an event id that is not a UUID', () => withEvent((e) => (e.event_id = 'not-a-uuid')), 400, /events\[3\]\.event_id/],
      ['an over-long metric key', () => withEvent((e) => (e.payload.points[0].key = 'k'.repeat(LIMITS.keyLength + 1))), 400, /events\[3\]\.payload\.points\[0\]\.key/],
      ['an over-long param value', () => withEvent((e) => (e.payload.params.lr = 'v'.repeat(LIMITS.paramValueLength + 1)), 2), 400, /events\[2\]\.payload\.params/],
      ['a NaN timestamp', () => withEvent((e) => (e.payload.points[0].timestamp = 'NaN')), 400, /events\[3\]\.payload\.points\[0\]\.timestamp/],
      ['a fractional step', () => withEvent((e) => (e.payload.points[0].step = 1.5)), 400, /events\[3\]\.payload\.points\[0\]\.step/],
      ['a metric value string other than NaN/Infinity', () => withEvent((e) => (e.payload.points[0].value = 'lots')), 400, /events\[3\]\.payload\.points\[0\]\.value/],
      ['an unknown event type', () => withEvent((e) => (e.type = 'run_teleported')), 400, /events\[3\]\.type/],
      ['a bad run id', () => withEvent((e) => (e.run_id = '../etc/passwd')), 400, /events\[3\]\.run_id/],
      ['too many points in one event', () => ({ events: [metricsEventJson('run-many', LIMITS.pointsPerEvent + 1)] }), 400, /events\[0\]\.payload\.points/],
      [
        'a params map with one key twice with different values',
        () => JSON.stringify({ events: good() }).replace('"lr":"0.1"', '"lr":"0.1","lr":"0.2"'),
        400,
        /events\[2\]\.payload\.params\.lr/,
      ],
      ['too many events', () => ({ events: Array.from({ length: LIMITS.eventsPerBatch + 1 }, () => good()[0]) }), 400, /at most 1000 events/],
    ];

    it.each(cases)('%s', async (_name, body, status, mentions) => {
      const offsets = await gw.endOffsets();
      const res = await postEvents(gw.url, body());
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(res.body.error.code).toMatch(/^[A-Z_]+$/);
      expect(JSON.stringify(res.body.error)).toMatch(mentions);
      if (res.body.error.code === 'VALIDATION_FAILED') {
        for (const p of res.body.error.details.problems) {
          expect(p).toEqual({ index: p.index === null ? null : expect.any(Number), path: expect.any(String), message: expect.any(String) });
          expect(p.message.length).toBeGreaterThan(5);
        }
      }
      expect(await gw.endOffsets()).toEqual(offsets);
    });

    it('given two bad events among good ones, when posted, then each bad one is listed by index and path and nothing is appended', async () => {
      const offsets = await gw.endOffsets();
      const events = good() as any[];
      events[1].payload.start_time = 'soon';
      events[6].payload.size_bytes = -5.5;
      const res = await postEvents(gw.url, { events });
      expect(res.status).toBe(400);
      const problems = res.body.error.details.problems as { index: number; path: string }[];
      expect(problems.map((p) => p.index)).toEqual(expect.arrayContaining([1, 6]));
      expect(problems.every((p) => p.index === 1 || p.index === 6)).toBe(true);
      expect(problems.find((p) => p.index === 1)!.path).toBe('events[1].payload.start_time');
      expect(await gw.endOffsets()).toEqual(offsets);
    });

    it('given a body over 4 MiB, when posted with or without a Content-Length, then 413 and nothing is appended', async () => {
      const offsets = await gw.endOffsets();
      const huge = JSON.stringify({ events: good(), padding: 'x'.repeat(LIMITS.batchBytes) });
      const declared = await postEvents(gw.url, huge);
      expect(declared.status).toBe(413);
      expect(declared.body.error.code).toBe('PAYLOAD_TOO_LARGE');

      const chunks = [Buffer.from(huge.slice(0, 1000)), Buffer.from(huge.slice(1000))];
      const streamed = await fetch(`${gw.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new ReadableStream({
          pull(controller) {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(((await streamed.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await gw.endOffsets()).toEqual(offsets);
    });

    it('given an empty body, when posted, then 400 says so', async () => {
      const res = await fetch(`${gw.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error).toMatchObject({ code: 'MALFORMED_JSON', message: expect.stringMatching(/empty/) });
    });

    it('given a body that is not JSON by media type, when posted, then 415', async () => {
      const res = await fetch(`${gw.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"events":[]}' });
      expect(res.status).toBe(415);
      expect(((await res.json()) as any).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('given traffic, when /metrics is scraped, then it reports latency by route and status, events by type, batches, in-flight bytes, producer latency and breaker state', async () => {
    expect((await postEvents(gw.url, { events: sampleEventsJson() })).status).toBe(202);
    expect((await postEvents(gw.url, { events: [{ type: 'nonsense' }] })).status).toBe(400);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(sample(text, 'trackstream_gateway_request_duration_seconds_count', { route: '/v1/events', method: 'POST', status: '202' })).toBeGreaterThan(0);
    expect(sample(text, 'trackstream_gateway_request_duration_seconds_count', { route: '/v1/events', method: 'POST', status: '400' })).toBeGreaterThan(0);
    expect(sample(text, 'trackstream_gateway_events_accepted_total', { type: 'metrics_logged' })).toBeGreaterThan(0);
    expect(sample(text, 'trackstream_gateway_events_accepted_total', { type: 'run_completed' })).toBeGreaterThan(0);
    expect(sample(text, 'trackstream_gateway_batch_events_count', {})).toBeGreaterThan(0);
    expect(sample(text, 'trackstream_gateway_inflight_bytes', {})).toBe(0);
    expect(sample(text, 'trackstream_gateway_producer_latency_seconds_count', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(text, 'trackstream_gateway_breaker_state', {})).toBe(0);
  });

  it('given Kafka up, when probed, then /healthz and /readyz answer 200', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', breaker: 'closed' });
  });

  it('given an unknown route, when called, then 404 in the error format', async () => {
    const res = await fetch(`${gw.url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), retriable: false } });
  });
});

describe('ingest gateway under a burst beyond its in-flight budget', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ brokers: endpointsFromEnv().kafkaBrokers, topic: uniqueName('gateway_burst'), budget: { maxRequests: 3, maxBytes: 1024 * 1024 } });
  });
  afterAll(async () => {
    await gw.stop();
    await deleteTopic(gw.kafka, gw.topic);
  });

  it('given 60 concurrent batches, when the budget is spent, then the excess gets 429 with Retry-After, never a timeout, and every 202 batch is in Kafka', async () => {
    const batches = Array.from({ length: 60 }, (_, b) => Array.from({ length: 50 }, () => metricsEventJson(`run-burst-${b}`, 10)));
    const results = await Promise.all(batches.map((events) => postEvents(gw.url, { events })));

    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 202 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0);
    for (const r of results.filter((x) => x.status === 429)) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.body.error.code).toBe('OVERLOADED');
    }

    const accepted = new Set(batches.filter((_, i) => statuses[i] === 202).flatMap((events) => events.map((e) => e.event_id as string)));
    const stored = new Set((await gw.readEvents()).map((r) => r.event.event_id));
    expect(stored).toEqual(accepted);

    // The gateway recovers: with the burst over, a batch is accepted again.
    expect((await postEvents(gw.url, { events: [metricsEventJson(`run-${randomUUID()}`, 3)] })).status).toBe(202);
  });
});

describe('ingest gateway deadlines and shutdown', () => {
  const DEADLINE_MS = 1500;
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ brokers: endpointsFromEnv().kafkaBrokers, topic: uniqueName('gateway_deadline'), deadlineMs: DEADLINE_MS });
  });
  afterAll(async () => {
    await gw.stop();
    await deleteTopic(gw.kafka, gw.topic);
  });

  /** A raw HTTP/1.1 POST whose body is sent in two parts: the second after `between()` settles, or never if it returns null. */
  function slowPost(body: string, split: number, between: () => Promise<void> | null): Promise<{ status: number; text: string; ms: number }> {
    const port = Number(new URL(gw.url).port);
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), text, ms: Date.now() - started }));
      socket.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
      socket.write(body.slice(0, split));
      const wait = between();
      if (wait) void wait.then(() => socket.write(body.slice(split)));
    });
  }

  it('given a client that stops sending its body, when the deadline passes, then it gets 408 instead of a hang', async () => {
    const body = JSON.stringify({ events: sampleEventsJson() });
    const res = await slowPost(body, 20, () => null);
    expect(res.status).toBe(408);
    expect(res.text).toContain('REQUEST_TIMEOUT');
    expect(res.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(res.ms).toBeLessThan(DEADLINE_MS + 1000);
  });

  it('given a request in flight, when the gateway shuts down, then that request still gets its 202 and new connections are refused', async () => {
    const events = sampleEventsJson();
    const body = JSON.stringify({ events });
    let stopped: Promise<void> | undefined;
    const res = await slowPost(body, 20, async () => {
      await new Promise((r) => setTimeout(r, 200)); // admitted: headers are in
      stopped = gw.running.stop(5000);
      await new Promise((r) => setTimeout(r, 200));
    });
    expect(res.status).toBe(202);
    await stopped;
    await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow();
    const stored = new Set((await gw.readEvents()).map((r) => r.event.event_id));
    for (const e of events) expect(stored.has(e.event_id as string)).toBe(true);
  });
});
