import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from '../logic/api';
import { availableColumns, cellValue, columnId, nextSort, orderBy, sortable, visibleColumns, type Column, type RunRow, type Sort } from '../logic/columns';
import { formatDuration, formatTime, formatValue } from '../logic/compare';
import { filterErrorView, normalizeFilter } from '../logic/filter';
import { ErrorBox, Status, href, useApp } from './shared';
import type { SearchAnswer } from '../logic/wire';
import { AuditTimeline, auditPath } from './audit';
import { ExperimentCollabPanel } from './collab';


export const PAGE_SIZE = 100;
const MAX_COMPARE = 100;

function FilterError(props: { filter: string; error: ApiError }) {
  const view = filterErrorView(props.filter, props.error);
  return (
    <div class="error filter-error" role="alert" data-filter-error>
      <div>{view.message}</div>
      {view.mark ? (
        <pre class="filter-mark">
          {view.mark.before}
          <mark>{view.mark.at}</mark>
          {view.mark.after}
        </pre>
      ) : null}
    </div>
  );
}

function cell(run: RunRow, c: Column) {
  if (c.kind === 'attribute') {
    if (c.key === 'status') return <Status status={run.status} />;
    if (c.key === 'run_name') return <a href={href(`/r/${encodeURIComponent(run.run_id)}`)}>{run.run_name || run.run_id}</a>;
    if (c.key === 'start_time') return formatTime(run.start_time);
    if (c.key === 'duration') return formatDuration(cellValue(run, c) as number | null);
  }
  return formatValue(cellValue(run, c));
}

function columnLabel(c: Column): string {
  if (c.kind === 'attribute') return c.key.replace('_', ' ');
  return c.key;
}

export function RunsPage(props: { experimentId: string }) {
  const { api, reportAuth } = useApp();
  const [experiment, setExperiment] = useState<{ name: string | null; experiment_id: string } | null>(null);
  const [filterText, setFilterText] = useState('');
  const [applied, setApplied] = useState<string | null>(null);
  const [sort, setSort] = useState<Sort | null>(null);
  const [runs, setRuns] = useState<RunRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [picking, setPicking] = useState(false);
  const [live, setLive] = useState(false);
  const generation = useRef(0);

  const search = async (pageToken: string | null) => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const answer = await api.post<SearchAnswer>('/v1/runs/search', {
        experiment_ids: [props.experimentId],
        filter: applied,
        order_by: orderBy(sort),
        max_results: PAGE_SIZE,
        page_token: pageToken,
      });
      if (mine !== generation.current) return;
      setRuns((prev) => (pageToken === null ? answer.runs : [...prev, ...answer.runs]));
      setNext(answer.next_page_token);
      setError(null);
    } catch (err) {
      if (mine !== generation.current) return;
      if (err instanceof ApiError && err.authProblem) reportAuth(err);
      setError(err as Error);
      if (pageToken === null) setRuns([]);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  useEffect(() => {
    void api.get<{ experiment: { name: string | null; experiment_id: string } }>(`/v1/experiments/${encodeURIComponent(props.experimentId)}`).then(
      (a) => setExperiment(a.experiment),
      () => setExperiment(null),
    );
  }, [props.experimentId]);

  useEffect(() => {
    void search(null);
  }, [props.experimentId, applied, sort]);

  // Live: a run on screen is updated in place; a run not on screen re-runs the search (the server applies the
  // filter and the order), at most twice a second.
  const runsRef = useRef(runs);
  runsRef.current = runs;
  const refreshRef = useRef(() => void search(null));
  refreshRef.current = () => void search(null);
  useEffect(() => {
    const ctl = new AbortController();
    let pending: ReturnType<typeof setTimeout> | null = null;
    api.stream(
      `/v1/stream/experiments/${encodeURIComponent(props.experimentId)}`,
      (event, data) => {
        if (event !== 'run') return;
        const run = (data as { run: RunRow }).run;
        const i = runsRef.current.findIndex((r) => r.run_id === run.run_id);
        if (i >= 0) {
          setRuns((prev) => prev.map((r) => (r.run_id === run.run_id ? run : r)));
        } else if (pending === null) {
          pending = setTimeout(() => {
            pending = null;
            refreshRef.current();
          }, 500);
        }
      },
      { signal: ctl.signal, onOpen: () => setLive(true), onError: (err) => (err.authProblem ? reportAuth(err) : undefined) },
    );
    return () => {
      ctl.abort();
      if (pending !== null) clearTimeout(pending);
      setLive(false);
    };
  }, [props.experimentId]);

  const available = useMemo(() => availableColumns(runs), [runs]);
  const columns = useMemo(() => visibleColumns(available, chosen), [available, chosen]);
  const sortColumn = sort?.column ?? null;

  const toggle = (runId: string) =>
    setSelected((prev) => {
      const s = new Set(prev);
      if (s.has(runId)) s.delete(runId);
      else if (s.size < MAX_COMPARE) s.add(runId);
      return s;
    });

  const submit = (e: Event) => {
    e.preventDefault();
    setApplied(normalizeFilter(filterText));
  };

  const compareIds = [...selected];
  return (
    <section>
      <p class="crumbs">
        <a href={href('/')}>Experiments</a> / {experiment?.name ?? props.experimentId}
      </p>
      <h1>
        {experiment?.name ?? props.experimentId} <span class={`live ${live ? 'on' : ''}`}>{live ? '● live' : '○'}</span>
      </h1>
      <form class="filter" onSubmit={submit}>
        <input
          class="filter-input"
          name="filter"
          placeholder="metrics.val_acc > 0.9 AND params.lr = '0.01' OR attributes.status = 'RUNNING'"
          value={filterText}
          onInput={(e) => setFilterText((e.target as HTMLInputElement).value)}
          aria-label="filter runs"
          spellcheck={false}
        />
        <button type="submit">Search</button>
        <button type="button" onClick={() => setPicking(!picking)}>
          Columns
        </button>
        <a class={`button ${compareIds.length >= 2 ? '' : 'disabled'}`} href={compareIds.length >= 2 ? href(`/c/${compareIds.map(encodeURIComponent).join(',')}`) : undefined} data-compare>
          Compare {compareIds.length > 0 ? `(${compareIds.length})` : ''}
        </a>
      </form>
      <ExperimentCollabPanel experimentId={props.experimentId} onApply={(v) => (setFilterText(v.filter ?? ''), setApplied(v.filter), setSort(v.sort), setChosen(v.columns))} />
      {error instanceof ApiError && (error.code === 'FILTER_INVALID' || error.code === 'ORDER_BY_INVALID') ? <FilterError filter={applied ?? ''} error={error} /> : <ErrorBox error={error} />}
      {picking ? (
        <div class="picker">
          {available.map((c) => {
            const id = columnId(c);
            const on = columns.some((v) => columnId(v) === id);
            return (
              <label key={id}>
                <input
                  type="checkbox"
                  checked={on}
                  onChange={() => {
                    const ids = columns.map(columnId);
                    setChosen(on ? ids.filter((x) => x !== id) : [...ids, id]);
                  }}
                />{' '}
                {id}
              </label>
            );
          })}
        </div>
      ) : null}
      <table class="grid runs" data-table="runs">
        <thead>
          <tr>
            <th />
            {columns.map((c) => {
              const id = columnId(c);
              const mark = sortColumn === id ? (sort!.desc ? ' ▼' : ' ▲') : '';
              return (
                <th key={id} class={`${c.kind} ${sortable(c) ? 'sortable' : ''}`} onClick={sortable(c) ? () => setSort(nextSort(sort, id)) : undefined} title={id}>
                  {columnLabel(c)}
                  {mark}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.run_id} data-run={r.run_id} class={selected.has(r.run_id) ? 'selected' : ''}>
              <td>
                <input type="checkbox" checked={selected.has(r.run_id)} onChange={() => toggle(r.run_id)} aria-label={`select ${r.run_name ?? r.run_id}`} />
              </td>
              {columns.map((c) => (
                <td key={columnId(c)} class={c.kind === 'metric' ? 'num' : ''}>
                  {cell(r, c)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        {runs.length} runs shown{loading ? ' · loading…' : ''}
        {next !== null ? (
          <button type="button" onClick={() => void search(next)} data-more>
            Load more
          </button>
        ) : null}
      </p>
      {experiment ? <AuditTimeline title="Experiment history" path={auditPath({ experimentId: experiment.experiment_id })} version={experiment.name ?? ''} /> : null}
    </section>
  );
}
