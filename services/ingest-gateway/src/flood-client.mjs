// A flood of concurrent large batches for gateway-admission.int.test.ts, from a process of its own: in the test's
// process the client's writes would wait on the gateway's event loop, and the bodies' late arrival would be the
// test's doing, not the gateway's. Each client posts one batch and, on 429, waits Retry-After (spread ±50 %, as real
// clients' jitter does) and sends the same batch again, up to maxAttempts. Prints one JSON object on stdout.
//
// usage: node flood-client.mjs <gateway url> <clients> <events per batch> <points per event> <max attempts>
import { randomUUID } from 'node:crypto';

const [url, clients, eventsPerBatch, pointsPerEvent, maxAttempts] = process.argv.slice(2);
const now = Date.now();
const batches = Array.from({ length: Number(clients) }, (_, c) => {
  const run = `run-flood-${c}-${randomUUID().slice(0, 8)}`;
  return Array.from({ length: Number(eventsPerBatch) }, (_, step) => ({
    event_id: randomUUID(),
    type: 'metrics_logged',
    project: 'bench',
    experiment_id: 'exp-flood',
    run_id: run,
    occurred_at: now,
    payload: { points: Array.from({ length: Number(pointsPerEvent) }, (_, i) => ({ key: `metric_${i}`, value: Math.random(), step, timestamp: now })) },
  }));
});
const bodies = batches.map((events) => JSON.stringify({ events }));

const answers = [];
async function client(body) {
  for (let attempt = 1; ; attempt++) {
    let status;
    let retryAfter = null;
    try {
      const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      const text = await res.text();
      let error;
      try {
        error = JSON.parse(text).error;
      } catch {
        error = { message: text.slice(0, 200) };
      }
      answers.push({ status, code: error?.code, reason: error?.details?.reason, message: error?.message, retryAfter });
    } catch (err) {
      // No answer at all (connection reset, hang up): as much a failure as a 5xx.
      answers.push({ status: 0, message: String(err?.cause?.message ?? err?.message ?? err) });
      return 0;
    }
    if (status !== 429 || attempt >= Number(maxAttempts)) return status;
    await new Promise((r) => setTimeout(r, 1000 * Number(retryAfter ?? 1) * (0.5 + Math.random())));
  }
}

const finals = await Promise.all(bodies.map(client));
process.stdout.write(
  JSON.stringify({
    bodyBytes: bodies.map((b) => Buffer.byteLength(b)),
    answers,
    batches: batches.map((events, i) => ({ final: finals[i], eventIds: events.map((e) => e.event_id) })),
  }),
);
