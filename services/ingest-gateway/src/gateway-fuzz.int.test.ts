import fc from 'fast-check';
import { endpointsFromEnv, uniqueName } from '@trackstream/testkit';
import { deleteTopic, startTestGateway, type TestGateway } from './testing';

// Property: whatever a client sends to any route (paths, query strings, bodies, media types, encodings), the gateway
// answers below 500, appends nothing, and stays healthy.
describe('ingest gateway edge under random input', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ brokers: endpointsFromEnv().kafkaBrokers, topic: uniqueName('gateway_fuzz') });
  });
  afterAll(async () => {
    await gw.stop();
    await deleteTopic(gw.kafka, gw.topic);
  });

  const segment = fc.oneof(fc.constantFrom('v1', 'events', 'healthz', 'readyz', 'metrics', '%00', '%ff', '%', '..%2f', '%2e%2e', 'x'.repeat(5000)), fc.string({ maxLength: 20 }).map(encodeURIComponent));
  const path = fc.oneof(fc.constantFrom('/v1/events', '/healthz', '/readyz', '/metrics'), fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join('/')}`));
  const query = fc.oneof(fc.constant(''), fc.string({ maxLength: 30 }).map((q) => `?${q.replace(/[#\s]/g, '')}`), fc.constant('?a=%zz&b=%00'));
  const text = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.json({ maxDepth: 3 }),
    fc.constantFrom('{"events":[{"type":"\\u0000"}]}', '{"events":[{"type":"\\ud800"}]}', '{"events":[]}', '{"events":null}', '{"events":[{}],"events":[1]}', ''));
  const body = fc.oneof(text.map((t) => Buffer.from(t)), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)));
  const contentType = fc.constantFrom(undefined, 'application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ';;', 'application/json; charset=utf-16');
  const encoding = fc.constantFrom(undefined, 'gzip', 'deflate', 'br', 'identity', 'bogus');
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');

  it('answers every request below 500, appends nothing and stays healthy', async () => {
    const offsets = await gw.endOffsets();
    await fc.assert(
      fc.asyncProperty(method, path, query, body, contentType, encoding, async (m, p, q, b, ct, enc) => {
        const headers: Record<string, string> = {};
        if (ct !== undefined) headers['content-type'] = ct;
        if (enc !== undefined) headers['content-encoding'] = enc;
        const res = await fetch(`${gw.url}${p}${q}`, { method: m, headers, body: m === 'GET' ? undefined : b });
        await res.arrayBuffer();
        if (res.status >= 500 && !(p === '/readyz' && res.status === 503)) throw new Error(`${m} ${p}${q} (${ct}, ${enc}) → ${res.status}`);
      }),
      { numRuns: 300, seed: 20261207 },
    );
    expect(await gw.endOffsets()).toEqual(offsets);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  }, 30_000);
});
