import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatDuration, formatTime, formatValue } from '../logic/compare';
import { applyStreamPoints, historyPath, maxPointsFor, runStreamPath, seriesOf, type Point, type Series, type StepSpan } from '../logic/series';
import { AuditTimeline, auditPath } from './audit';
import { Chart } from './chart';
import { RunNotesPanel } from './collab';
import { RunLineagePanel } from './lineage';
import { ErrorBox, Status, href, useApp } from './shared';
import { ApiError } from '../logic/api';
import type { HistoryAnswer, RunStreamState, RunView } from '../logic/wire';

function KeyValues(props: { title: string; values: Record<string, string>; name: string }) {
  const keys = Object.keys(props.values).sort();
  return (
    <div class="panel">
      <h2>{props.title}</h2>
      {keys.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <table class="kv" data-table={props.name}>
          <tbody>
            {keys.map((k) => (
              <tr key={k} data-key={k}>
                <th>{k}</th>
                <td>{props.values[k]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * One metric's chart: the live series (from the run stream) until a drag zooms it; then the zoomed span as the
 * server answers it for this chart's width (finer buckets, or every point), until "whole series".
 */
function MetricChart(props: { runId: string; metricKey: string; live: Series | undefined }) {
  const { api, reportAuth } = useApp();
  const box = useRef<HTMLDivElement>(null);
  const [zoom, setZoom] = useState<{ span: StepSpan; series: Series } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const k = props.metricKey;
  const onZoom = (span: StepSpan) => {
    const width = box.current?.clientWidth ?? 480;
    api.get<HistoryAnswer>(historyPath(props.runId, k, maxPointsFor(width), span)).then(
      (a) => (setError(null), setZoom({ span, series: seriesOf(a.points, a.downsampled) })),
      (err: Error) => {
        if (err instanceof ApiError && err.authProblem) reportAuth(err);
        setError(err);
      },
    );
  };
  const s = zoom?.series ?? props.live;
  // The same arrays while the series is the same: the chart redraws only when its own data changed.
  const steps = useMemo(() => s?.steps ?? [], [s]);
  const values = useMemo(() => [s?.values ?? []], [s]);
  const title = `${k}${zoom ? ` (steps ${zoom.span.from}–${zoom.span.to})` : ''}${s?.downsampled ? ' (downsampled)' : ''}`;
  return (
    <div class="chart-box" ref={box}>
      <Chart name={k} title={title} lines={[{ label: k, color: '#2563eb' }]} steps={steps} values={values} onZoom={onZoom} zoomed={zoom?.span ?? null} />
      {zoom ? (
        <button type="button" class="link" data-unzoom={k} onClick={() => setZoom(null)}>
          whole series
        </button>
      ) : (
        <span class="muted hint">drag to zoom</span>
      )}
      <ErrorBox error={error} />
    </div>
  );
}

/** The widest a run page's chart is taken to be when sizing its first frame (2 points per pixel: 1,200 points). */
const CHART_WIDTH_MAX_PX = 600;

export function RunPage(props: { runId: string }) {
  const { api, reportAuth } = useApp();
  const [run, setRun] = useState<RunView | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [series, setSeries] = useState<Record<string, Series>>({});
  const [live, setLive] = useState(false);

  useEffect(() => {
    setRun(null);
    setSeries({});
    api.get<{ run: RunView }>(`/v1/runs/${encodeURIComponent(props.runId)}`).then(
      (a) => setRun(a.run),
      (err: Error) => {
        if (err instanceof ApiError && err.authProblem) reportAuth(err);
        setError(err);
      },
    );
    // The stream sends each series at once as a frame sized to a chart (server min/max buckets above ~2 points
    // per pixel; a chart is 420 px to a window's half wide), then what the projections apply: only the new points
    // per key, and the run's state. A zoom refetches its span finer.
    const ctl = new AbortController();
    api.stream(
      runStreamPath(props.runId, Math.min(window.innerWidth / 2, CHART_WIDTH_MAX_PX)),
      (event, data) => {
        if (event === 'points') {
          const u = data as { key: string; kind: 'append' | 'replace'; downsampled: boolean; points: Point[] };
          setSeries((prev) => ({ ...prev, [u.key]: applyStreamPoints(prev[u.key], u) }));
        } else if (event === 'run') {
          const s = data as RunStreamState;
          setRun((prev) => (prev === null ? prev : { ...prev, status: s.status, end_time: s.end_time, metrics: s.metrics, params: s.params, tags: s.tags }));
        }
      },
      { signal: ctl.signal, onOpen: () => setLive(true), onError: (err) => (err.authProblem ? reportAuth(err) : undefined) },
    );
    return () => {
      ctl.abort();
      setLive(false);
    };
  }, [props.runId]);

  if (error) return <ErrorBox error={error} />;
  if (run === null) return <p class="muted">Loading…</p>;
  const keys = [...new Set([...Object.keys(run.metrics), ...Object.keys(series)])].sort();
  return (
    <section>
      <p class="crumbs">
        <a href={href('/')}>Experiments</a> / <a href={href(`/e/${encodeURIComponent(run.experiment_id)}`)}>{run.experiment_id}</a> / {run.run_name ?? run.run_id}
      </p>
      <h1>
        {run.run_name ?? run.run_id} <Status status={run.status} /> <span class={`live ${live ? 'on' : ''}`}>{live ? '● live' : '○'}</span>
      </h1>
      <p class="muted">
        {run.run_id} · {run.project} · {run.user ?? 'unknown user'} · started {formatTime(run.start_time)}
        {run.end_time !== null ? ` · took ${formatDuration(run.end_time - (run.start_time ?? run.end_time))}` : ''}
      </p>
      <div class="columns">
        <KeyValues title="Params" values={run.params} name="params" />
        <div class="panel">
          <h2>Metrics</h2>
          <table class="kv" data-table="metrics">
            <thead>
              <tr>
                <th>key</th>
                <th class="num">latest</th>
                <th class="num">step</th>
                <th class="num">min</th>
                <th class="num">max</th>
                <th class="num">points</th>
              </tr>
            </thead>
            <tbody>
              {Object.keys(run.metrics)
                .sort()
                .map((k) => {
                  const m = run.metrics[k]!;
                  return (
                    <tr key={k} data-key={k}>
                      <th>{k}</th>
                      <td class="num" data-latest>
                        {formatValue(m.value)}
                      </td>
                      <td class="num">{m.step}</td>
                      <td class="num">{formatValue(m.min)}</td>
                      <td class="num">{formatValue(m.max)}</td>
                      <td class="num">{m.count}</td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </div>
        <KeyValues title="Tags" values={run.tags} name="tags" />
      </div>
      <h2>Charts</h2>
      <div class="charts">
        {keys.map((k) => (
          <MetricChart key={k} runId={run.run_id} metricKey={k} live={series[k]} />
        ))}
      </div>
      <div class="columns">
        <div class="panel">
          <h2>Artifacts</h2>
          {run.artifacts.length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <ul>
              {run.artifacts.map((a) => (
                <li key={a.path}>
                  {a.path} <span class="muted">{a.size_bytes ?? '?'} bytes {a.media_type ?? ''}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <RunLineagePanel run={run} />
        <RunNotesPanel run={run} />
      </div>
      <AuditTimeline title="Audit timeline" path={auditPath({ runId: run.run_id })} version={`${run.status ?? ''}:${Object.keys(run.params).length}:${Object.keys(run.tags).length}`} />
    </section>
  );
}
