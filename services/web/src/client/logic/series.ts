/**
 * Metric series as the charts hold them: columns of steps and values (uPlot's layout), the size of a request for
 * a chart of a given width, live appends from the run stream, and the union of steps for overlaid curves.
 */
export interface Point {
  step: number;
  value: number | string;
}

export interface Series {
  steps: number[];
  values: (number | null)[];
  downsampled: boolean;
}

/** Server value → chart value: the JSON forms of NaN/±Inf are gaps in the line, never a crash. */
export function chartValue(v: number | string): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function seriesOf(points: readonly Point[], downsampled: boolean): Series {
  return { steps: points.map((p) => p.step), values: points.map((p) => chartValue(p.value)), downsampled };
}

/** The server's maximum; above it, its buckets keep min and max. */
export const MAX_POINTS = 10_000;

/**
 * How many points to ask for a chart `widthPx` wide: two per pixel column (enough for min and max to show), at
 * least 200, at most the server's limit.
 */
export function maxPointsFor(widthPx: number): number {
  const n = Math.ceil(Math.max(0, widthPx) * 2);
  return Math.min(MAX_POINTS, Math.max(200, n));
}

/**
 * A `points` event of the run stream applied to a series: `append` adds the unseen tail (kept in step order even
 * when a late point has a smaller step), `replace` swaps the whole series. A new series object is returned.
 */
export function applyStreamPoints(current: Series | undefined, update: { kind: 'append' | 'replace'; points: readonly Point[]; downsampled?: boolean }): Series {
  const incoming = seriesOf(update.points, update.downsampled ?? false);
  if (update.kind === 'replace' || current === undefined) return incoming;
  const steps = current.steps.concat(incoming.steps);
  const values = current.values.concat(incoming.values);
  const last = current.steps[current.steps.length - 1];
  const first = incoming.steps[0];
  if (last === undefined || first === undefined || first >= last) return { steps, values, downsampled: current.downsampled };
  const order = steps.map((_, i) => i).sort((a, b) => steps[a]! - steps[b]! || a - b);
  return { steps: order.map((i) => steps[i]!), values: order.map((i) => values[i]!), downsampled: current.downsampled };
}

/**
 * Several runs' series of one metric on one x axis (uPlot wants one x array): the sorted union of their steps,
 * and each run's values at those steps (null where it logged none).
 */
export function alignSeries(series: readonly Series[]): { steps: number[]; values: (number | null)[][] } {
  const all = [...new Set(series.flatMap((s) => s.steps))].sort((a, b) => a - b);
  const index = new Map(all.map((s, i) => [s, i]));
  const values = series.map((s) => {
    const row: (number | null)[] = new Array(all.length).fill(null);
    s.steps.forEach((step, i) => {
      row[index.get(step)!] = s.values[i] ?? null;
    });
    return row;
  });
  return { steps: all, values };
}

/** A zoomed span of steps, both ends inclusive. */
export interface StepSpan {
  from: number;
  to: number;
}

/**
 * The span a drag selection over [min, max] (chart x values, fractional) covers in whole steps; null when it
 * holds no whole step (nothing to refetch).
 */
export function zoomSpan(min: number, max: number): StepSpan | null {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  const from = Math.ceil(Math.min(min, max));
  const to = Math.floor(Math.max(min, max));
  return from <= to ? { from, to } : null;
}

/**
 * The history request of one metric: as many points as the chart shows, over `span` when zoomed (the server then
 * cuts its buckets over that span only, so the zoomed curve comes back finer, down to every point).
 */
export function historyPath(runId: string, key: string, maxPoints: number, span: StepSpan | null = null): string {
  const q = new URLSearchParams({ max_points: String(maxPoints) });
  if (span !== null) {
    q.set('min_step', String(span.from));
    q.set('max_step', String(span.to));
  }
  return `/v1/runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(key)}?${q.toString()}`;
}

/**
 * The run stream of a run page whose charts are about `chartWidthPx` wide: each series comes first as a frame of
 * that many points (the server's min/max buckets above it), then only its new points; a zoom refetches finer.
 */
export function runStreamPath(runId: string, chartWidthPx: number): string {
  return `/v1/stream/runs/${encodeURIComponent(runId)}?max_points=${maxPointsFor(chartWidthPx)}`;
}
