import { useMemo, useState } from 'preact/hooks';
import { formatTime } from '../logic/compare';
import { href, ErrorBox, useApp, useLoad } from './shared';
import type { ExperimentView as Experiment } from '../logic/wire';

interface Summary {
  run_count: number;
  active_runs: number;
  last_activity: number | null;
}

export function ExperimentsPage() {
  const { api } = useApp();
  const [q, setQ] = useState('');
  const { data, error, loading } = useLoad(async () => {
    const { experiments } = await api.get<{ experiments: Experiment[] }>('/v1/experiments?max_results=1000');
    const summaries =
      experiments.length === 0
        ? {}
        : (await api.post<{ summaries: Record<string, Summary> }>('/v1/experiments/summaries', { experiment_ids: experiments.map((e) => e.experiment_id) })).summaries;
    return { experiments, summaries };
  }, []);
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const rows = (data?.experiments ?? []).filter((e) => needle === '' || (e.name ?? e.experiment_id).toLowerCase().includes(needle) || e.project.toLowerCase().includes(needle));
    const last = (e: Experiment) => data?.summaries[e.experiment_id]?.last_activity ?? e.created_at ?? 0;
    return rows.sort((a, b) => last(b) - last(a));
  }, [data, q]);
  return (
    <section>
      <h1>Experiments</h1>
      <input class="search" type="search" placeholder="Search by name or project" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} aria-label="search experiments" />
      <ErrorBox error={error} />
      {loading && data === null ? <p class="muted">Loading…</p> : null}
      <table class="grid" data-table="experiments">
        <thead>
          <tr>
            <th>Name</th>
            <th>Project</th>
            <th class="num">Runs</th>
            <th class="num">Running</th>
            <th>Last activity</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => {
            const s = data?.summaries[e.experiment_id];
            return (
              <tr key={e.experiment_id} data-experiment={e.experiment_id}>
                <td>
                  <a href={href(`/e/${encodeURIComponent(e.experiment_id)}`)}>{e.name ?? e.experiment_id}</a>
                </td>
                <td>{e.project}</td>
                <td class="num">{s?.run_count ?? 0}</td>
                <td class="num">{s?.active_runs ?? 0}</td>
                <td>{formatTime(s?.last_activity ?? e.created_at)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data !== null && shown.length === 0 ? <p class="muted">No experiments{q ? ' match' : ' yet'}.</p> : null}
    </section>
  );
}
