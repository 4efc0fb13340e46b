/** The compare page's logic: which params differ across the runs, and a run's label. */
export function differingParams(params: Record<string, Record<string, string | null>>): Set<string> {
  const out = new Set<string>();
  for (const [key, byRun] of Object.entries(params)) {
    if (new Set(Object.values(byRun)).size > 1) out.add(key);
  }
  return out;
}

export function runLabel(run: { run_id: string; run_name: string | null }): string {
  return run.run_name && run.run_name !== '' ? run.run_name : run.run_id.slice(0, 12);
}

/** Distinct line colours for up to 100 overlaid runs (golden-angle hues). */
export function runColor(i: number): string {
  return `hsl(${Math.round((i * 137.508) % 360)}, 65%, 45%)`;
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
  }
  return String(v);
}

export function formatTime(ms: number | null): string {
  if (ms === null) return '';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
