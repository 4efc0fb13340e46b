import { InMemoryTokenStore, TokenBuckets, TokenValidator } from '@trackstream/auth';
import { createJsonLogger } from '@trackstream/telemetry';
import { endpointsFromEnv, pollUntil, uniqueName } from '@trackstream/testkit';
import { deleteTopic, postEvents, sampleEventsJson, startTestGateway, type TestGateway } from './testing';

/**
 * Access control on the gateway (issue 9) against real Kafka, with the in-memory token store behind the real
 * TokenValidator (the Postgres store is exercised end to end in test/auth). Rate limiting runs on a hand-driven
 * clock, so no assertion depends on timing.
 */
function eventsFor(project: string, run = `run-${uniqueName('a')}`): Record<string, unknown>[] {
  return sampleEventsJson(run).map((e) => ({ ...e, project }));
}

function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2]!.matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

describe('ingest gateway with auth on', () => {
  const store = new InMemoryTokenStore();
  const validator = new TokenValidator(store, { refreshMs: 50 });
  let clock = 1_000_000;
  const buckets = new TokenBuckets({ now: () => clock });
  const logLines: string[] = [];
  let gw: TestGateway;
  let writerA: string;
  let writerB: string;
  let reader: string;
  let admin: string;
  let limited: string;
  let limitedOther: string;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const allTokens = () => [writerA, writerB, reader, admin, limited, limitedOther];

  beforeAll(async () => {
    writerA = (await store.create({ principal: 'ada@lab', project: 'proj-a', role: 'writer' })).token;
    writerB = (await store.create({ principal: 'bob@lab', project: 'proj-b', role: 'writer' })).token;
    reader = (await store.create({ principal: 'rita@lab', project: 'proj-a', role: 'reader' })).token;
    admin = (await store.create({ principal: 'root@lab', project: '*', role: 'admin' })).token;
    limited = (await store.create({ principal: 'sweep-bot', project: 'proj-a', role: 'writer', rateLimitPerSec: 9 })).token;
    limitedOther = (await store.create({ principal: 'other-bot', project: 'proj-a', role: 'writer', rateLimitPerSec: 9 })).token;
    await validator.start();
    gw = await startTestGateway({
      brokers: endpointsFromEnv().kafkaBrokers,
      topic: uniqueName('gateway_auth'),
      logger: createJsonLogger({ level: 'info', write: (l) => logLines.push(l) }),
      auth: { mode: 'on', validator, buckets, rateLimit: { perSec: 1000, burst: null } },
    });
  });
  afterAll(async () => {
    validator.stop();
    await gw?.stop();
    if (gw) await deleteTopic(gw.kafka, gw.topic);
  });

  it('given no token, a garbled header or an unknown token, when posting, then 401 says which, without echoing the token, and nothing is appended', async () => {
    const offsets = await gw.endOffsets();
    const unknown = `tsk_${'x'.repeat(43)}`;
    const cases: [Record<string, string>, string][] = [
      [{}, 'TOKEN_MISSING'],
      [{ authorization: 'Basic dXNlcjpwYXNz' }, 'TOKEN_MALFORMED'],
      [{ authorization: 'Bearer' }, 'TOKEN_MALFORMED'],
      [bearer(unknown), 'TOKEN_UNKNOWN'],
    ];
    for (const [headers, reason] of cases) {
      const res = await postEvents(gw.url, { events: eventsFor('proj-a') }, headers);
      expect([res.status, res.body.error.code, res.body.error.details.reason]).toEqual([401, 'UNAUTHENTICATED', reason]);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(JSON.stringify(res.body)).not.toMatch(/tsk_|dXNlcjpwYXNz/);
    }
    expect(await gw.endOffsets()).toEqual(offsets);
  });

  it('given a writer of proj-a, when it writes to proj-a, then the events are stored with its principal (a claimed principal header is ignored)', async () => {
    const events = eventsFor('proj-a');
    const res = await postEvents(gw.url, { events }, { ...bearer(writerA), 'x-trackstream-principal': 'mallory' });
    expect(res.status).toBe(202);
    const ids = new Set(events.map((e) => e.event_id));
    const stored = (await gw.readEvents()).filter((r) => ids.has(r.event.event_id));
    expect(stored).toHaveLength(events.length);
    expect(new Set(stored.map((r) => r.event.principal))).toEqual(new Set(['ada@lab']));
  });

  it('given a writer of proj-a, when a batch holds one event of proj-b, then 403 FORBIDDEN names it and nothing of the batch is appended', async () => {
    const offsets = await gw.endOffsets();
    const events = eventsFor('proj-a');
    events[4] = { ...events[4]!, project: 'proj-b' };
    const res = await postEvents(gw.url, { events }, bearer(writerA));
    expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(res.body.error.details.problems).toEqual([{ index: 4, path: 'events[4].project', message: expect.stringContaining('proj-b') }]);
    expect(await gw.endOffsets()).toEqual(offsets);
    // The other project's own writer can, and an admin ('*') can write anywhere.
    expect((await postEvents(gw.url, { events: eventsFor('proj-b') }, bearer(writerB))).status).toBe(202);
    expect((await postEvents(gw.url, { events: [...eventsFor('proj-a'), ...eventsFor('proj-z')] }, bearer(admin))).status).toBe(202);
  });

  it('given a reader token, when it posts, then 403 (its role may not write) and nothing is appended', async () => {
    const offsets = await gw.endOffsets();
    const res = await postEvents(gw.url, { events: eventsFor('proj-a') }, bearer(reader));
    expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(await gw.endOffsets()).toEqual(offsets);
  });

  it('given a token over its events/s budget, then 429 RATE_LIMITED with Retry-After, another token is unaffected, and time refills it', async () => {
    const nine = () => ({ events: eventsFor('proj-a').slice(0, 9) });
    // rateLimitPerSec 9 → a bucket of 18 events: two batches of 9 pass, the third is refused.
    expect((await postEvents(gw.url, nine(), bearer(limited))).status).toBe(202);
    expect((await postEvents(gw.url, nine(), bearer(limited))).status).toBe(202);
    const offsets = await gw.endOffsets();
    const refused = await postEvents(gw.url, nine(), bearer(limited));
    expect([refused.status, refused.body.error.code, refused.body.error.retriable]).toEqual([429, 'RATE_LIMITED', true]);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await gw.endOffsets()).toEqual(offsets);
    // Not the in-flight budget's 429.
    expect(refused.body.error.code).not.toBe('OVERLOADED');
    expect((await postEvents(gw.url, nine(), bearer(limitedOther))).status).toBe(202);
    clock += 1000;
    expect((await postEvents(gw.url, nine(), bearer(limited))).status).toBe(202);
  });

  it('given a revoked token, when the validator has refreshed, then it is refused with 401 TOKEN_REVOKED', async () => {
    const { token, record } = await store.create({ principal: 'temp@lab', project: 'proj-a', role: 'writer' });
    const post = () => postEvents(gw.url, { events: eventsFor('proj-a').slice(0, 1) }, bearer(token));
    // Created after start: visible once a refresh ran.
    await pollUntil('the new writer is accepted', async () => (await post()).status === 202);
    await store.revoke(record.tokenId);
    await pollUntil('the revoked writer is refused', async () => (await post()).status === 401);
    const res = await post();
    expect([res.status, res.body.error.details.reason]).toEqual([401, 'TOKEN_REVOKED']);
  });

  it('keeps /healthz, /readyz and /metrics open, counts denials by reason and route pattern, and logs them without any token', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`${gw.url}${path}`)).status).toBe(200);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const denied = (reason: string) => sample(text, 'trackstream_auth_denied_total', { service: 'ingest-gateway', reason, route: '/v1/events' });
    expect(denied('TOKEN_MISSING')).toBeGreaterThanOrEqual(1);
    expect(denied('TOKEN_UNKNOWN')).toBeGreaterThanOrEqual(1);
    expect(denied('FORBIDDEN')).toBeGreaterThanOrEqual(2);
    expect(denied('RATE_LIMITED')).toBeGreaterThanOrEqual(1);
    expect(denied('TOKEN_REVOKED')).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/tsk_/);

    const warnings = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'access denied');
    expect(warnings.find((l) => l.reason === 'FORBIDDEN')).toMatchObject({ level: 'warn', principal: 'ada@lab', route: '/v1/events', tokenId: expect.any(String) });
    expect(warnings.find((l) => l.reason === 'RATE_LIMITED')).toMatchObject({ principal: 'sweep-bot', route: '/v1/events' });
    expect(warnings.find((l) => l.reason === 'TOKEN_MISSING')).toMatchObject({ principal: 'unknown', route: '/v1/events' });
    const all = logLines.join('\n');
    for (const token of allTokens()) expect(all).not.toContain(token);
    expect(all).not.toMatch(/tsk_|dXNlcjpwYXNz|Bearer [A-Za-z0-9_-]{8,}/);
  });
});

