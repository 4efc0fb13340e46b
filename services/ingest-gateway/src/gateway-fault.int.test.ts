import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { KafkaEventLog, createKafkaClient } from '@trackstream/kafka';
import { noopLogger } from '@trackstream/telemetry';
import { startDedicatedServers, uniqueName, type DedicatedServers } from '@trackstream/testkit';
import { createGateway, type Gateway } from './app';
import { metricsEventJson, postEvents, startTestGateway, type TestGateway } from './testing';

const batch = () => Array.from({ length: 5 }, () => metricsEventJson(`run-${randomUUID().slice(0, 8)}`, 3));

// Stops and restarts Kafka, so it runs against a private Kafka of its own: never the shared one.
describe('ingest gateway while Kafka goes away and comes back', () => {
  const DEADLINE_MS = 3000;
  let servers: DedicatedServers;
  let gw: TestGateway;

  beforeAll(async () => {
    servers = await startDedicatedServers(['kafka']);
    gw = await startTestGateway({
      brokers: servers.env.TRACKSTREAM_KAFKA_BROKERS!.split(','),
      topic: uniqueName('gateway_fault'),
      deadlineMs: DEADLINE_MS,
      breaker: { resetTimeoutMs: 1000 },
    });
  }, 180_000);
  afterAll(async () => {
    await gw?.stop();
    await servers?.cleanup();
  }, 120_000);

  it('given Kafka stopped, then every request gets 503 with Retry-After within the deadline; once Kafka is back, batches are accepted again without a gateway restart', async () => {
    const accepted: string[] = [];
    const before = batch();
    expect((await postEvents(gw.url, { events: before })).status).toBe(202);
    accepted.push(...before.map((e) => e.event_id as string));

    await servers.stop('kafka');

    const outage: { status: number; ms: number; retryAfter: string | null; code: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const started = Date.now();
      const res = await postEvents(gw.url, { events: batch() });
      outage.push({ status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after'), code: res.body?.error?.code });
    }
    for (const r of outage) {
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(DEADLINE_MS + 500);
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(['LOG_UNAVAILABLE', 'DEADLINE_EXCEEDED']).toContain(r.code);
    }
    // The circuit opened: later requests fail fast instead of each waiting for Kafka.
    expect(outage.at(-1)!.ms).toBeLessThan(500);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/trackstream_gateway_breaker_state\{[^}]*\} [12]/);

    await servers.start('kafka');

    // Clients retry after Retry-After; the gateway process is the same one throughout.
    let status = 0;
    const until = Date.now() + 90_000;
    while (Date.now() < until) {
      const events = batch();
      const res = await postEvents(gw.url, { events });
      status = res.status;
      if (status === 202) {
        accepted.push(...events.map((e) => e.event_id as string));
        break;
      }
      expect(res.status).toBe(503);
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
    }
    expect(status).toBe(202);
    const after = batch();
    expect((await postEvents(gw.url, { events: after })).status).toBe(202);
    accepted.push(...after.map((e) => e.event_id as string));
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);

    // Everything acknowledged is in the log (503'd batches may or may not be: clients retry them with the same ids).
    const stored = new Set((await gw.readEvents()).map((r) => r.event.event_id));
    for (const id of accepted) expect(stored.has(id)).toBe(true);
  }, 180_000);
});

describe('ingest gateway in front of a Kafka that accepts connections but never answers', () => {
  const DEADLINE_MS = 1500;
  let blackHole: net.Server;
  const sockets = new Set<net.Socket>();
  let gateway: Gateway;
  let eventLog: KafkaEventLog;
  let url: string;

  beforeAll(async () => {
    // A listener that takes every connection and says nothing: the hung broker no error message reveals.
    blackHole = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const brokers = [`127.0.0.1:${(blackHole.address() as net.AddressInfo).port}`];
    const kafka = createKafkaClient({ clientId: 'gateway-black-hole', brokers, logger: noopLogger });
    eventLog = new KafkaEventLog({ kafka, topic: 'never_answered', logger: noopLogger, sendTimeoutMs: 10_000 });
    gateway = createGateway({
      eventLog,
      checkReady: () => Promise.reject(new Error('no answer')),
      logger: noopLogger,
      deadlineMs: DEADLINE_MS,
      breaker: { resetTimeoutMs: 1000, volumeThreshold: 2 },
    });
    const address = await gateway.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await gateway.close(1000);
    for (const s of sockets) s.destroy();
    await new Promise((r) => blackHole.close(r));
    await eventLog.close();
  }, 30_000);

  it('given Kafka hangs, then requests get 503 DEADLINE_EXCEEDED with Retry-After at the deadline, then fail fast once the circuit opens', async () => {
    const answers: { status: number; ms: number; code: string; retryAfter: string | null }[] = [];
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      const res = await postEvents(url, { events: batch() });
      answers.push({ status: res.status, ms: Date.now() - started, code: res.body.error?.code, retryAfter: res.headers.get('retry-after') });
    }
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503]);
    expect(answers[0]!.code).toBe('DEADLINE_EXCEEDED');
    expect(answers[0]!.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    for (const a of answers) {
      expect(a.ms).toBeLessThan(DEADLINE_MS + 500);
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(answers.at(-1)).toMatchObject({ code: 'LOG_UNAVAILABLE' });
    expect(answers.at(-1)!.ms).toBeLessThan(300);
  }, 30_000);
});
