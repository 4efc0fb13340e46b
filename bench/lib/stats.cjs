'use strict';
// Pure helpers shared by the benchmarks (no I/O): Prometheus text parsing, histogram quantiles, percentiles, the
// burst rate schedule, lag drain time and the sweep's completeness check. CommonJS so that both the .mjs bench
// scripts (named imports) and the jest unit test (require) load the same file.

/** Prometheus text exposition → Map of `name{labels}` → value (labels in the text's order). */
function parseMetrics(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) out.set(m[1] + (m[2] ?? ''), Number(m[3]));
  }
  return out;
}

/** Quantile of a Prometheus histogram between two scrapes, as the upper bound (ms) of the bucket it falls in. */
function histogramQuantile(before, after, name, labelFilter, q) {
  const buckets = [];
  for (const [k, v] of after) {
    if (!k.startsWith(name + '_bucket{') || !k.includes(labelFilter)) continue;
    const le = /le="([^"]+)"/.exec(k)[1];
    buckets.push([le === '+Inf' ? Infinity : Number(le), v - (before.get(k) ?? 0)]);
  }
  // Cumulative buckets of several label sets (e.g. one per status) add up bucket by bucket.
  const merged = new Map();
  for (const [le, c] of buckets) merged.set(le, (merged.get(le) ?? 0) + c);
  const sorted = [...merged].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return NaN;
  const hit = sorted.find(([, c]) => c >= q * total);
  return hit ? hit[0] * 1000 : NaN;
}

/** Sum of the increase of every series whose key starts with `prefix`. */
function sumMatching(before, after, prefix) {
  let sum = 0;
  for (const [k, v] of after) if (k.startsWith(prefix)) sum += v - (before.get(k) ?? 0);
  return sum;
}

/** Increase per value of `label` over the series starting with `prefix` and containing `filter` (e.g. requests by status). */
function countByLabel(before, after, prefix, label, filter = '') {
  const out = {};
  const re = new RegExp(`${label}="([^"]*)"`);
  for (const [k, v] of after) {
    if (!k.startsWith(prefix) || !k.includes(filter)) continue;
    const m = re.exec(k);
    if (!m) continue;
    const d = v - (before.get(k) ?? 0);
    if (d !== 0) out[m[1]] = (out[m[1]] ?? 0) + d;
  }
  return out;
}

/** p-th percentile (0-100) of an ascending array, nearest rank below; NaN when empty. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(xs) {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

/**
 * Metric points/s offered at time t (seconds from the start): `rate` throughout, `factor`× `rate` in
 * [burstStartS, burstStartS + burstS). rate <= 0 means unlimited. `due(t)` is the integral: points that should have
 * been logged by t, so a generator that falls behind catches up rather than drifting.
 */
function rateSchedule({ rate, factor = 10, burstStartS = Infinity, burstS = 0 }) {
  const burstEndS = burstStartS + burstS;
  const unlimited = !(rate > 0);
  return {
    burstStartS,
    burstEndS,
    at: (t) => (unlimited ? Infinity : t >= burstStartS && t < burstEndS ? rate * factor : rate),
    due: (t) => {
      if (unlimited) return Infinity;
      if (t <= 0) return 0;
      const inBurst = Math.max(0, Math.min(t, burstEndS) - burstStartS);
      return rate * t + rate * (factor - 1) * inBurst;
    },
  };
}

/**
 * Seconds from `fromMs` until the first sample at or after it where every lag is at most its threshold;
 * null if that never happened. samples: [{ t (ms), lags: {name: n} }], thresholds: {name: n}.
 */
function drainSeconds(samples, fromMs, thresholds) {
  for (const s of samples) {
    if (s.t < fromMs) continue;
    if (Object.entries(thresholds).every(([name, max]) => (s.lags[name] ?? Infinity) <= max)) return (s.t - fromMs) / 1000;
  }
  return null;
}

/**
 * Rates of a cumulative counter sampled as [{t (ms), v}] → [{t, v: per second}], each over the last `window`
 * sample intervals (a moving average: the SDK sends in 2 s flushes, so single 500 ms intervals are spiky).
 */
function ratesOf(points, window = 1) {
  const out = [];
  for (let i = 1; i < points.length; i++) {
    const j = Math.max(0, i - window);
    const dt = (points[i].t - points[j].t) / 1000;
    if (dt > 0 && Number.isFinite(points[i].v) && Number.isFinite(points[j].v)) out.push({ t: points[i].t, v: (points[i].v - points[j].v) / dt });
  }
  return out;
}

/**
 * Compares what the sweep sent with what the projections hold, run by run.
 *   expected: Map runId → { params, keys, points, events }  (events = the SDK's acknowledged events of the run)
 *   found.pg: Map runId → { status, params, keys, points, conflicts }
 *   found.ch: Map runId → { points, distinctPoints, events, distinctEvents }
 *   experimentEvents: { expected, pg, chRows, chDistinct } — experiment-level events (sent by every client, applied once)
 * Returns totals per check (expected / found), `lost` and `duplicated` (sums of the shortfalls and excesses),
 * the first problems in words, and ok.
 */
function checkCompleteness(expected, found, experimentEvents = null) {
  const checks = {
    'postgres runs (FINISHED)': [0, 0],
    'postgres params': [0, 0],
    'postgres latest_metrics keys': [0, 0],
    'postgres latest_metrics count (points)': [0, 0],
    'postgres param conflicts': [0, 0],
    'clickhouse metric_points FINAL': [0, 0],
    'clickhouse distinct (run, key, step)': [0, 0],
    'clickhouse events FINAL': [0, 0],
    'clickhouse distinct event_id': [0, 0],
  };
  let lost = 0;
  let duplicated = 0;
  const problems = [];
  const compare = (check, runId, want, got) => {
    checks[check][0] += want;
    checks[check][1] += got;
    if (got < want) lost += want - got;
    if (got > want) duplicated += got - want;
    if (got !== want && problems.length < 20) problems.push(`${runId}: ${check} ${got}, expected ${want}`);
  };
  for (const [runId, e] of expected) {
    const pg = found.pg.get(runId) ?? { status: null, params: 0, keys: 0, points: 0, conflicts: 0 };
    const ch = found.ch.get(runId) ?? { points: 0, distinctPoints: 0, events: 0, distinctEvents: 0 };
    compare('postgres runs (FINISHED)', runId, 1, pg.status === 'FINISHED' ? 1 : 0);
    compare('postgres params', runId, e.params, pg.params);
    compare('postgres latest_metrics keys', runId, e.keys, pg.keys);
    compare('postgres latest_metrics count (points)', runId, e.points, pg.points);
    compare('postgres param conflicts', runId, 0, pg.conflicts);
    compare('clickhouse metric_points FINAL', runId, e.points, ch.points);
    compare('clickhouse distinct (run, key, step)', runId, e.points, ch.distinctPoints);
    compare('clickhouse events FINAL', runId, e.events, ch.events);
    compare('clickhouse distinct event_id', runId, e.events, ch.distinctEvents);
  }
  for (const [store, map] of [['postgres', found.pg], ['clickhouse', found.ch]]) {
    for (const runId of map.keys()) {
      if (!expected.has(runId)) {
        duplicated++;
        if (problems.length < 20) problems.push(`${runId}: in ${store} but never sent`);
      }
    }
  }
  if (experimentEvents) {
    checks['experiments (postgres)'] = [experimentEvents.expected, experimentEvents.pg];
    checks['experiment events (clickhouse FINAL)'] = [experimentEvents.expected, experimentEvents.chRows];
    for (const got of [experimentEvents.pg, experimentEvents.chRows, experimentEvents.chDistinct]) {
      if (got < experimentEvents.expected) lost += experimentEvents.expected - got;
      if (got > experimentEvents.expected) duplicated += got - experimentEvents.expected;
    }
    if (experimentEvents.pg !== experimentEvents.expected || experimentEvents.chRows !== experimentEvents.expected) {
      problems.push(`experiment rows: postgres ${experimentEvents.pg}, clickhouse ${experimentEvents.chRows}, expected ${experimentEvents.expected}`);
    }
  }
  return {
    ok: lost === 0 && duplicated === 0,
    lost,
    duplicated,
    checks: Object.fromEntries(Object.entries(checks).map(([k, [want, got]]) => [k, { expected: want, found: got }])),
    problems,
  };
}

module.exports = { parseMetrics, histogramQuantile, sumMatching, countByLabel, percentile, median, rateSchedule, drainSeconds, ratesOf, checkCompleteness };
