import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { zoomSpan, type StepSpan } from '../logic/series';

export interface ChartLine {
  label: string;
  color: string;
}

/** Draws observed by tests and the bench: when a chart last painted, and how many points it held. */
interface DrawRecord {
  chart: string;
  points: number;
  lastStep: number | null;
  at: number;
}
declare global {
  interface Window {
    __trackstreamDraws?: DrawRecord[];
  }
}

function record(name: string, u: uPlot): void {
  const xs = u.data[0] as number[];
  const draws = (window.__trackstreamDraws ??= []);
  draws.push({ chart: name, points: xs.length, lastStep: xs.length > 0 ? xs[xs.length - 1]! : null, at: Date.now() });
  if (draws.length > 5000) draws.splice(0, draws.length - 5000);
}

/**
 * One uPlot chart: x = step, one line per entry of `lines`. Created once; new data goes through setData (cheap
 * enough for 10,000-point series at live rates). `name` labels the chart for tests (data-chart) and draw records.
 * With `onZoom`, a drag across the chart does not stretch the points it holds: it names the span of steps, and the
 * owner fetches that span at full resolution and passes it in (`zoomed` marks the chart while it shows one).
 */
export function Chart(props: {
  name: string;
  title: string;
  lines: ChartLine[];
  steps: number[];
  values: (number | null)[][];
  height?: number;
  onZoom?: (span: StepSpan) => void;
  zoomed?: StepSpan | null;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;
  // Rebuilt when the lines or the title change (uPlot draws its title once); data goes through setData.
  const shape = [props.title, ...props.lines.map((l) => l.label)].join('\u0000');

  useEffect(() => {
    const el = host.current!;
    const width = Math.max(240, el.clientWidth || 480);
    const u = new uPlot(
      {
        width,
        height: props.height ?? 220,
        title: props.title,
        scales: { x: { time: false } },
        legend: { show: props.lines.length <= 12 },
        series: [{ label: 'step' }, ...props.lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.5, spanGaps: true, points: { show: false } }))],
        axes: [{ label: 'step' }, {}],
        cursor: { drag: { x: true, y: false, setScale: false } },
        hooks: {
          draw: [(self: uPlot) => record(props.name, self)],
          setSelect: [
            (self: uPlot) => {
              const sel = self.select;
              if (sel.width < 3 || onZoom.current === undefined) return;
              const span = zoomSpan(self.posToVal(sel.left, 'x'), self.posToVal(sel.left + sel.width, 'x'));
              self.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              if (span !== null) onZoom.current(span);
            },
          ],
        },
      },
      [props.steps, ...props.values] as uPlot.AlignedData,
      el,
    );
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - u.width) > 2) u.setSize({ width: w, height: props.height ?? 220 });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the title or the set of lines changes; data changes go through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([props.steps, ...props.values] as uPlot.AlignedData);
  }, [props.steps, props.values]);

  const last = props.steps.length > 0 ? props.steps[props.steps.length - 1] : '';
  const zoom = props.zoomed ? `${props.zoomed.from}..${props.zoomed.to}` : '';
  return <div class="chart" ref={host} data-chart={props.name} data-points={String(props.steps.length)} data-last-step={String(last)} data-zoom={zoom} />;
}
