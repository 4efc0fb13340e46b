/**
 * The parallel-coordinates view of compare: one vertical axis per param (those that differ first) and a last axis
 * for the chosen metric; each run is a line through its values. A numeric axis (every value a finite number) is
 * linear from its min to its max; any other axis places its distinct values evenly, in sorted order. Positions are
 * fractions 0 (bottom) .. 1 (top); a run without a value on an axis has null there (its line breaks).
 */
export interface Axis {
  name: string;
  kind: 'number' | 'category';
  /** Labels at positions, bottom to top. */
  ticks: { label: string; at: number }[];
}

export interface ParallelView {
  axes: Axis[];
  /** Per run, in the order given: its position on each axis. */
  lines: (number | null)[][];
}

export const MAX_PARAM_AXES = 12;

type Value = string | number | null | undefined;

function numeric(values: Value[]): number[] | null {
  const present = values.filter((v): v is string | number => v !== null && v !== undefined && v !== '');
  if (present.length === 0) return null;
  const nums = present.map((v) => (typeof v === 'number' ? v : Number(v)));
  return nums.every((n) => Number.isFinite(n)) ? nums : null;
}

function axisOf(name: string, values: Value[]): { axis: Axis; at: (v: Value) => number | null } {
  const nums = numeric(values);
  if (nums !== null) {
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    const at = (v: Value) => {
      if (v === null || v === undefined || v === '') return null;
      const n = typeof v === 'number' ? v : Number(v);
      return hi === lo ? 0.5 : (n - lo) / (hi - lo);
    };
    const ticks = hi === lo ? [{ label: String(lo), at: 0.5 }] : [{ label: String(lo), at: 0 }, { label: String(hi), at: 1 }];
    return { axis: { name, kind: 'number', ticks }, at };
  }
  const distinct = [...new Set(values.filter((v): v is string | number => v !== null && v !== undefined).map(String))].sort();
  const pos = new Map(distinct.map((d, i) => [d, distinct.length === 1 ? 0.5 : i / (distinct.length - 1)]));
  return {
    axis: { name, kind: 'category', ticks: distinct.map((d) => ({ label: d, at: pos.get(d)! })) },
    at: (v: Value) => (v === null || v === undefined ? null : (pos.get(String(v)) ?? null)),
  };
}

/**
 * `params`: param key → run id → value (compare's params table); `differing`: the keys whose values differ (shown
 * first, and alone when there are any); `metric`: the chosen metric's value per run id (non-finite values, the
 * strings "NaN"/"Infinity", leave a gap).
 */
export function parallelView(
  runIds: readonly string[],
  params: Record<string, Record<string, string | null>>,
  differing: ReadonlySet<string>,
  metric: { key: string; values: Record<string, number | string | null> } | null,
): ParallelView {
  const keys = Object.keys(params).sort();
  const chosen = (differing.size > 0 ? keys.filter((k) => differing.has(k)) : keys).slice(0, MAX_PARAM_AXES);
  const columns: { name: string; values: Value[] }[] = chosen.map((k) => ({ name: k, values: runIds.map((r) => params[k]?.[r] ?? null) }));
  if (metric !== null) {
    columns.push({ name: metric.key, values: runIds.map((r) => {
      const v = metric.values[r];
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    }) });
  }
  const built = columns.map((c) => ({ ...axisOf(c.name, c.values), values: c.values }));
  return {
    axes: built.map((b) => b.axis),
    lines: runIds.map((_, i) => built.map((b) => b.at(b.values[i]))),
  };
}
