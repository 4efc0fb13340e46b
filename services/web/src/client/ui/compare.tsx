import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { differingParams, formatValue, runColor, runLabel } from '../logic/compare';
import { alignSeries, maxPointsFor, seriesOf, type Point, type Series } from '../logic/series';
import { Chart } from './chart';
import { ParallelCoordinates } from './pcoords';
import type { CompareAnswer, HistoryAnswer } from '../logic/wire';
import { ErrorBox, Status, href, useApp, useLoad } from './shared';

/** Charts on the compare page at most (the first metric keys); each holds every selected run. */
const MAX_CHARTS = 12;

export function ComparePage(props: { runIds: string[] }) {
  const { api } = useApp();
  const { data, error } = useLoad(() => api.post<CompareAnswer>('/v1/runs/compare', { run_ids: props.runIds }), [props.runIds.join(',')]);
  const [curves, setCurves] = useState<Record<string, Series[]>>({});
  const chartsRef = useRef<HTMLDivElement>(null);

  const keys = useMemo(() => Object.keys(data?.metrics ?? {}).slice(0, MAX_CHARTS), [data]);
  useEffect(() => {
    if (data === null) return;
    let live = true;
    // Each chart is about half the charts area wide: ask the server for as many points as it can show.
    const width = (chartsRef.current?.clientWidth ?? 960) / 2;
    const maxPoints = maxPointsFor(width);
    void Promise.all(
      keys.map(async (key) => {
        const all = await Promise.all(
          data.runs.map((r) =>
            api
              .get<HistoryAnswer>(`/v1/runs/${encodeURIComponent(r.run_id)}/metrics/${encodeURIComponent(key)}?max_points=${maxPoints}`)
              .then((a) => seriesOf(a.points, a.downsampled))
              .catch(() => seriesOf([], false)),
          ),
        );
        return [key, all] as const;
      }),
    ).then((pairs) => live && setCurves(Object.fromEntries(pairs)));
    return () => {
      live = false;
    };
  }, [data, keys]);

  if (error) return <ErrorBox error={error} />;
  if (data === null) return <p class="muted">Loading…</p>;
  const differ = differingParams(data.params);
  const lines = data.runs.map((r, i) => ({ label: runLabel(r), color: runColor(i) }));
  const nameOf = (id: string | null) => {
    const r = data.runs.find((x) => x.run_id === id);
    return r ? runLabel(r) : '';
  };
  const paramKeys = Object.keys(data.params).sort((a, b) => Number(differ.has(b)) - Number(differ.has(a)) || a.localeCompare(b));
  return (
    <section>
      <p class="crumbs">
        <a href={href('/')}>Experiments</a>
        {data.runs[0] ? (
          <>
            {' '}
            / <a href={href(`/e/${encodeURIComponent(data.runs[0].experiment_id)}`)}>{data.runs[0].experiment_id}</a>
          </>
        ) : null}{' '}
        / compare {data.runs.length} runs
      </p>
      <h1>Compare {data.runs.length} runs</h1>
      <h2>Metrics</h2>
      <div class="charts" ref={chartsRef}>
        {keys.map((k) => {
          const aligned = alignSeries(curves[k] ?? data.runs.map(() => seriesOf([], false)));
          return (
            <div class="chart-box" key={k}>
              <Chart name={`compare:${k}`} title={k} lines={lines} steps={aligned.steps} values={aligned.values} />
            </div>
          );
        })}
      </div>
      <table class="grid" data-table="best">
        <thead>
          <tr>
            <th>metric</th>
            <th>goal</th>
            <th>best run</th>
            <th class="num">best</th>
            {data.runs.map((r, i) => (
              <th key={r.run_id} class="num" style={{ color: runColor(i) }}>
                {runLabel(r)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Object.entries(data.metrics).map(([k, m]) => (
            <tr key={k}>
              <th>{k}</th>
              <td>{m.goal}</td>
              <td data-best={k}>{nameOf(m.best_run_id)}</td>
              <td class="num">{formatValue(m.best_value)}</td>
              {data.runs.map((r) => (
                <td key={r.run_id} class={`num ${m.best_run_id === r.run_id ? 'best' : ''}`}>
                  {formatValue(m.runs[r.run_id]?.last ?? null)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <ParallelCoordinates data={data} differing={differ} />
      <h2>Params</h2>
      <p class="muted">{differ.size} of {paramKeys.length} params differ (highlighted, listed first).</p>
      <table class="grid" data-table="compare-params">
        <thead>
          <tr>
            <th>param</th>
            {data.runs.map((r, i) => (
              <th key={r.run_id} style={{ color: runColor(i) }}>
                <a href={href(`/r/${encodeURIComponent(r.run_id)}`)}>{runLabel(r)}</a> <Status status={r.status} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {paramKeys.map((k) => (
            <tr key={k} class={differ.has(k) ? 'differs' : ''} data-param={k} data-differs={differ.has(k) ? 'true' : 'false'}>
              <th>{k}</th>
              {data.runs.map((r) => (
                <td key={r.run_id}>{data.params[k]?.[r.run_id] ?? ''}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
