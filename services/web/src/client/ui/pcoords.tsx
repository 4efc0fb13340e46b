import { useState } from 'preact/hooks';
import { formatValue, runColor, runLabel } from '../logic/compare';
import { parallelView } from '../logic/pcoords';
import type { CompareAnswer } from '../logic/wire';

const H = 260;
const PAD = { top: 24, bottom: 28, side: 60 };

/** Parallel coordinates from the params to a chosen metric (its last value per run), one coloured line per run. */
export function ParallelCoordinates(props: { data: CompareAnswer; differing: ReadonlySet<string> }) {
  const metricKeys = Object.keys(props.data.metrics);
  const [metric, setMetric] = useState<string | null>(metricKeys[0] ?? null);
  const chosen = metric !== null && props.data.metrics[metric] ? metric : (metricKeys[0] ?? null);
  const runIds = props.data.runs.map((r) => r.run_id);
  const values: Record<string, number | string | null> = {};
  if (chosen !== null) for (const r of runIds) values[r] = props.data.metrics[chosen]!.runs[r]?.last ?? null;
  const view = parallelView(runIds, props.data.params, props.differing, chosen === null ? null : { key: chosen, values });
  const n = view.axes.length;
  const width = Math.max(480, n * 140);
  const x = (i: number) => (n === 1 ? width / 2 : PAD.side + (i * (width - 2 * PAD.side)) / (n - 1));
  const y = (at: number) => PAD.top + (1 - at) * (H - PAD.top - PAD.bottom);
  return (
    <div class="panel" data-panel="pcoords">
      <h2>
        Params → metric{' '}
        <select aria-label="metric" name="pcoords-metric" value={chosen ?? ''} onChange={(e) => setMetric((e.target as HTMLSelectElement).value)}>
          {metricKeys.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </h2>
      {n === 0 ? (
        <p class="muted">no params or metrics to draw</p>
      ) : (
        <svg class="pcoords" width={width} height={H} data-axes={view.axes.map((a) => a.name).join(',')}>
          {view.lines.map((line, r) => {
            // A gap (no value on an axis) breaks the line into segments.
            const segs: string[] = [];
            let cur: string[] = [];
            line.forEach((at, i) => {
              if (at === null) {
                if (cur.length > 1) segs.push(cur.join(' '));
                cur = [];
              } else cur.push(`${x(i).toFixed(1)},${y(at).toFixed(1)}`);
            });
            if (cur.length > 1) segs.push(cur.join(' '));
            const run = props.data.runs[r]!;
            return (
              <g key={run.run_id} data-pcoords-run={run.run_id} stroke={runColor(r)} fill="none" stroke-width="1.5">
                <title>{runLabel(run)}</title>
                {segs.map((pts, i) => (
                  <polyline key={i} points={pts} />
                ))}
                {line.map((at, i) => (at === null ? null : <circle key={`c${i}`} cx={x(i)} cy={y(at)} r="2.5" fill={runColor(r)} />))}
              </g>
            );
          })}
          {view.axes.map((a, i) => (
            <g key={a.name} data-axis={a.name}>
              <line class="axis" x1={x(i)} x2={x(i)} y1={y(0)} y2={y(1)} />
              <text x={x(i)} y={H - 8} text-anchor="middle" font-weight={i === n - 1 && chosen !== null ? '700' : '400'}>
                {a.name}
              </text>
              {a.ticks.slice(0, 12).map((t) => (
                <text key={t.label} x={x(i) + 4} y={y(t.at) + 4}>
                  {a.kind === 'number' ? formatValue(Number(t.label)) : t.label}
                </text>
              ))}
            </g>
          ))}
        </svg>
      )}
    </div>
  );
}
