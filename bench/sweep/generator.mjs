// The sweep orchestrator: fires runs through the SDK (a pool of SDK clients, as a sweep's workers would hold), each
// logging `steps` steps of `metrics` keys, paced by a rate schedule (points/s, or as fast as the SDK drains).
import { performance } from 'node:perf_hooks';
import { sleep } from '../lib/common.mjs';

/** Deterministic metric value, so a reader could recompute any point. */
export const metricValue = (run, key, step) => 1 / (step + 1) + key + run / 1e6;

const STEP = Buffer.from(',"step":');

/** Metric points in a request body (the SDK writes `,"step":` once per point). */
export function countPoints(body) {
  let n = 0;
  for (let i = body.indexOf(STEP); i !== -1; i = body.indexOf(STEP, i + STEP.length)) n++;
  return n;
}

/**
 * Wraps an SDK transport to see every request: client-side ack latency (from handing the body to the transport,
 * gzip included, until the gateway's answer) and the outcome of each attempt (the SDK retries 429/503 itself).
 */
export function instrumentTransport(inner, stats) {
  return {
    async send(body) {
      const t0 = performance.now();
      const r = await inner.send(body);
      const ms = performance.now() - t0;
      let outcome;
      if (r.kind === 'accepted') {
        outcome = '202';
        stats.ackMs.push(ms);
        stats.ackedPoints += countPoints(body);
      } else if (r.kind === 'rejected') outcome = String(r.status);
      else if (r.kind === 'too_large') outcome = '413';
      else if (r.status !== null) outcome = String(r.status);
      else outcome = /no response within/.test(r.reason) ? 'timeout' : 'network error';
      if (outcome !== '202') {
        stats.failures ??= [];
        stats.failuresSeen ??= {};
        stats.failuresSeen[outcome] = (stats.failuresSeen[outcome] ?? 0) + 1;
        // The first 5 of each kind: a flood of 429s must not hide the one reset.
        if (stats.failuresSeen[outcome] <= 5) stats.failures.push({ at: new Date().toISOString(), outcome, ms: Math.round(ms), reason: String(r.reason ?? r.problems?.[0]?.message ?? '').slice(0, 200) });
      }
      stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
      return r;
    },
    close: () => inner.close(),
  };
}

/**
 * Runs a sweep. opts: clients (SDK clients), experiment (name), prefix (run id prefix), steps, metrics, params,
 * concurrency (runs in flight), totalRuns (Infinity with stopAtS), schedule (rateSchedule), stopAtS (seconds; runs
 * still open then are finished with the steps they have), startedAt (performance.now() origin of the schedule),
 * window and ackedPoints (() => points the gateway acknowledged so far): flow control in unlimited mode,
 * maxBufferedPoints, finishTimeoutMs, shouldStop (() => bool, checked each tick).
 * Returns { expected: Map runId → {params, keys, points, events}, reports, firstLogAt, lastLogAt, finishedAt,
 * logged, experimentId }. `progress` is updated as it goes ({ logged, runsStarted, runsFinished }).
 */
export async function runSweep(opts, progress = { logged: 0, runsStarted: 0, runsFinished: 0 }) {
  const { clients, steps, metrics, params, concurrency, schedule, finishTimeoutMs = 600_000 } = opts;
  const totalRuns = opts.totalRuns ?? Infinity;
  const unlimited = !Number.isFinite(schedule.due(1));
  const experiment = await Promise.all(clients.map((c) => c.getOrCreateExperiment(opts.experiment, { tags: { kind: 'bench-sweep' } })));
  const experimentId = experiment[0].experimentId;
  const keys = Array.from({ length: metrics }, (_, k) => `m${k}`);
  const expected = new Map();
  const finishing = [];
  const reports = [];
  let active = [];
  let next = 0;
  let rr = 0;
  let firstLogAt = null;
  let lastLogAt = null;
  const origin = opts.startedAt ?? performance.now();
  const loggedBefore = progress.logged; // `progress` may carry on from an earlier scenario

  const startOne = async () => {
    const i = next++;
    const client = clients[i % clients.length];
    const runId = `${opts.prefix}-${i}`;
    const runParams = {};
    for (let k = 0; k < params; k++) runParams[k === 0 ? 'lr' : `p${k}`] = k === 0 ? (i + 1) / 1e4 : `v${(i * 31 + k) % 97}`;
    const run = await client.startRun({ experimentId, runId, name: `trial-${i}`, params: params > 0 ? runParams : undefined, tags: { sweep: opts.prefix } });
    const values = Object.fromEntries(keys.map((k) => [k, 0]));
    active.push({ i, run, runId, step: 0, values, done: false });
    progress.runsStarted++;
  };

  const finishOne = (a) => {
    a.done = true;
    const entry = { params, keys: a.step > 0 ? metrics : 0, points: a.step * metrics, events: null };
    expected.set(a.runId, entry);
    finishing.push(
      a.run.finish({ status: 'FINISHED', timeoutMs: finishTimeoutMs }).then((rep) => {
        entry.events = rep.sentEvents;
        reports.push(rep);
        progress.runsFinished++;
      }),
    );
  };

  for (;;) {
    const t = (performance.now() - origin) / 1000;
    const ending = (opts.stopAtS !== undefined && t >= opts.stopAtS) || (opts.shouldStop?.() ?? false);
    if (ending) {
      for (const a of active) finishOne(a);
      active = [];
      break;
    }
    while (active.length < concurrency && next < totalRuns) await startOne();
    if (active.length === 0) break;

    let allowance;
    if (unlimited) {
      // As fast as it goes, but no faster than the pipeline acknowledges: at most `window` points logged and not yet
      // acknowledged by the gateway (the SDK seals a run's points every 2 s, so the window must hold a few seconds'
      // worth), and never so much that a client spills to its disk spool.
      const outstanding = progress.logged - opts.ackedPoints();
      const pressured = clients.some((c) => c.stats().bufferedPoints > (opts.maxBufferedPoints ?? 100_000) / 2);
      allowance = pressured ? 0 : Math.max(0, Math.min(20_000, opts.window - outstanding));
    } else {
      allowance = Math.min(schedule.due(t) - (progress.logged - loggedBefore), 200_000);
    }
    let loggedThisTick = 0;
    while (allowance >= metrics && active.length > 0) {
      let progressed = false;
      for (let n = 0; n < active.length && allowance >= metrics; n++) {
        const a = active[(rr + n) % active.length];
        if (a.done) continue;
        for (let k = 0; k < metrics; k++) a.values[keys[k]] = metricValue(a.i, k, a.step);
        a.run.log(a.values, { step: a.step });
        a.step++;
        allowance -= metrics;
        loggedThisTick += metrics;
        progressed = true;
        if (a.step >= steps) finishOne(a);
      }
      rr = (rr + 1) % Math.max(1, active.length);
      if (active.some((a) => a.done)) {
        active = active.filter((a) => !a.done);
        while (active.length < concurrency && next < totalRuns) await startOne();
      }
      if (!progressed) break;
    }
    if (loggedThisTick > 0) {
      const now = performance.now();
      firstLogAt ??= now;
      lastLogAt = now;
      progress.logged += loggedThisTick;
    }
    if (unlimited && loggedThisTick === 0) await sleep(5);
    else if (unlimited) await new Promise((r) => setImmediate(r));
    else await sleep(5);
  }
  await Promise.all(finishing);
  return { expected, reports, firstLogAt, lastLogAt, finishedAt: performance.now(), logged: progress.logged, experimentId };
}
