// The pure parts of the benchmarks (bench/lib/stats.cjs): what `npm run bench` decides pass/fail with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stats = require('./stats.cjs');

const METRICS = `# HELP trackstream_gateway_request_duration_seconds HTTP request latency
trackstream_gateway_request_duration_seconds_bucket{le="0.01",service="ingest-gateway",route="/v1/events",method="POST",status="202"} 50
trackstream_gateway_request_duration_seconds_bucket{le="0.1",service="ingest-gateway",route="/v1/events",method="POST",status="202"} 99
trackstream_gateway_request_duration_seconds_bucket{le="+Inf",service="ingest-gateway",route="/v1/events",method="POST",status="202"} 100
trackstream_gateway_request_duration_seconds_count{service="ingest-gateway",route="/v1/events",method="POST",status="202"} 100
trackstream_gateway_request_duration_seconds_count{service="ingest-gateway",route="/v1/events",method="POST",status="429"} 7
trackstream_gateway_request_duration_seconds_count{service="ingest-gateway",route="/readyz",method="GET",status="200"} 3
process_cpu_seconds_total 1.5`;

describe('Prometheus text', () => {
  it('given a scrape, when counting /v1/events by status, then other routes are left out', () => {
    const m = stats.parseMetrics(METRICS);
    expect(m.get('process_cpu_seconds_total')).toBe(1.5);
    expect(stats.countByLabel(new Map(), m, 'trackstream_gateway_request_duration_seconds_count{', 'status', 'route="/v1/events"')).toEqual({ '202': 100, '429': 7 });
  });

  it('given two scrapes, when counting, then only the increase between them counts', () => {
    const before = stats.parseMetrics(METRICS);
    const after = stats.parseMetrics(METRICS.replace('status="429"} 7', 'status="429"} 10'));
    expect(stats.countByLabel(before, after, 'trackstream_gateway_request_duration_seconds_count{', 'status', 'route="/v1/events"')).toEqual({ '429': 3 });
  });

  it('given a histogram, when asking for quantiles, then the answer is the upper bound of the bucket (ms)', () => {
    const m = stats.parseMetrics(METRICS);
    const q = (p: number) => stats.histogramQuantile(new Map(), m, 'trackstream_gateway_request_duration_seconds', 'status="202"', p);
    expect(q(0.5)).toBe(10);
    expect(q(0.99)).toBe(100);
    expect(q(1)).toBe(Infinity);
    expect(stats.histogramQuantile(m, m, 'trackstream_gateway_request_duration_seconds', 'status="202"', 0.5)).toBeNaN();
  });
});

describe('burst rate schedule', () => {
  const s = stats.rateSchedule({ rate: 1000, factor: 10, burstStartS: 10, burstS: 5 });

  it('offers the steady rate, then 10x during the burst, then the steady rate again', () => {
    expect([s.at(0), s.at(9.99), s.at(10), s.at(14.99), s.at(15), s.at(100)]).toEqual([1000, 1000, 10_000, 10_000, 1000, 1000]);
  });

  it('integrates the schedule, so points due follow the burst exactly', () => {
    expect(s.due(0)).toBe(0);
    expect(s.due(10)).toBe(10_000);
    expect(s.due(12)).toBe(10_000 + 20_000);
    expect(s.due(15)).toBe(10_000 + 50_000);
    expect(s.due(20)).toBe(10_000 + 50_000 + 5000);
  });

  it('treats rate 0 as unlimited', () => {
    const u = stats.rateSchedule({ rate: 0 });
    expect(u.at(3)).toBe(Infinity);
    expect(u.due(3)).toBe(Infinity);
  });
});

describe('drain time', () => {
  const samples = [
    { t: 9000, lags: { pg: 5000, ch: 9000 } },
    { t: 10_000, lags: { pg: 4000, ch: 8000 } },
    { t: 12_000, lags: { pg: 50, ch: 3000 } },
    { t: 13_500, lags: { pg: 80, ch: 90 } },
    { t: 14_000, lags: { pg: 0, ch: 0 } },
  ];

  it('is the time from the burst end to the first sample where every lag is back under its threshold', () => {
    expect(stats.drainSeconds(samples, 10_000, { pg: 100, ch: 100 })).toBe(3.5);
    expect(stats.drainSeconds(samples, 10_000, { pg: 100 })).toBe(2);
  });

  it('is null when the lag never came back', () => {
    expect(stats.drainSeconds(samples, 10_000, { pg: -1 })).toBeNull();
    expect(stats.drainSeconds(samples, 10_000, { missing: 100 })).toBeNull();
  });

  it('turns a cumulative counter into per-second rates over a moving window', () => {
    const c = [{ t: 0, v: 0 }, { t: 500, v: 100 }, { t: 1000, v: 100 }, { t: 1500, v: 400 }];
    expect(stats.ratesOf(c).map((r: { v: number }) => r.v)).toEqual([200, 0, 600]);
    expect(stats.ratesOf(c, 2).map((r: { v: number }) => r.v)).toEqual([200, 100, 300]);
  });
});

describe('completeness check', () => {
  const expected = new Map([
    ['run-0', { params: 5, keys: 10, points: 1000, events: 4 }],
    ['run-1', { params: 5, keys: 10, points: 1000, events: 4 }],
  ]);
  const exact = () => ({
    pg: new Map([
      ['run-0', { status: 'FINISHED', params: 5, keys: 10, points: 1000, conflicts: 0 }],
      ['run-1', { status: 'FINISHED', params: 5, keys: 10, points: 1000, conflicts: 0 }],
    ]),
    ch: new Map([
      ['run-0', { points: 1000, distinctPoints: 1000, events: 4, distinctEvents: 4 }],
      ['run-1', { points: 1000, distinctPoints: 1000, events: 4, distinctEvents: 4 }],
    ]),
  });
  const experiment = { expected: 1, pg: 1, chRows: 1, chDistinct: 1 };

  it('given projections holding exactly what was sent, then it passes with totals per check', () => {
    const r = stats.checkCompleteness(expected, exact(), experiment);
    expect(r).toMatchObject({ ok: true, lost: 0, duplicated: 0, problems: [] });
    expect(r.checks['clickhouse metric_points FINAL']).toEqual({ expected: 2000, found: 2000 });
    expect(r.checks['postgres runs (FINISHED)']).toEqual({ expected: 2, found: 2 });
  });

  it('given a point missing in ClickHouse and a run not finished in Postgres, then it reports the loss', () => {
    const found = exact();
    found.ch.get('run-1')!.points = 999;
    found.ch.get('run-1')!.distinctPoints = 999;
    found.pg.get('run-0')!.status = 'RUNNING';
    const r = stats.checkCompleteness(expected, found, experiment);
    expect(r).toMatchObject({ ok: false, lost: 3, duplicated: 0 });
    expect(r.problems).toEqual(expect.arrayContaining(['run-1: clickhouse metric_points FINAL 999, expected 1000', 'run-0: postgres runs (FINISHED) 0, expected 1']));
  });

  it('given a metric applied twice in Postgres, then it reports a duplicate', () => {
    const found = exact();
    found.pg.get('run-0')!.points = 1010;
    expect(stats.checkCompleteness(expected, found, experiment)).toMatchObject({ ok: false, lost: 0, duplicated: 10 });
  });

  it('given a run that was never sent, or a run missing entirely, then both are counted', () => {
    const found = exact();
    found.pg.set('run-x', { status: 'FINISHED', params: 0, keys: 0, points: 0, conflicts: 0 });
    found.ch.delete('run-1');
    const r = stats.checkCompleteness(expected, found, experiment);
    expect(r.duplicated).toBe(1);
    expect(r.lost).toBe(2 * 1000 + 2 * 4);
    expect(r.problems).toContain('run-x: in postgres but never sent');
  });

  it('given the experiment created by every client, then it must be projected once', () => {
    expect(stats.checkCompleteness(expected, exact(), { expected: 1, pg: 1, chRows: 2, chDistinct: 1 })).toMatchObject({ ok: false, duplicated: 1 });
  });
});

describe('percentile', () => {
  it('is the nearest rank below, NaN for no data', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([stats.percentile(xs, 50), stats.percentile(xs, 99), stats.percentile(xs, 100)]).toEqual([51, 100, 100]);
    expect(stats.percentile([], 50)).toBeNaN();
    expect(stats.median([3, 1, 2])).toBe(2);
  });
});
