/**
 * The runs table's column model: which columns exist (from the runs on screen), which are shown, how a cell reads,
 * and the server's order_by for a column.
 */
import type { RunView } from './wire';

export type ColumnKind = 'attribute' | 'param' | 'metric' | 'tag';

export interface Column {
  kind: ColumnKind;
  key: string;
}

/** What the table reads of a run (the read model's run view). */
export type RunRow = Pick<RunView, 'run_id' | 'run_name' | 'status' | 'start_time' | 'end_time' | 'user' | 'params' | 'tags'> & {
  metrics: Record<string, Pick<RunView['metrics'][string], 'value' | 'step'>>;
};

export const ATTRIBUTE_COLUMNS: readonly Column[] = Object.freeze([
  { kind: 'attribute', key: 'run_name' },
  { kind: 'attribute', key: 'status' },
  { kind: 'attribute', key: 'start_time' },
  { kind: 'attribute', key: 'duration' },
]);

/** The search grammar's prefix of each kind (packages/search: metrics., params., tags., attributes.). */
const PREFIX: Record<ColumnKind, string> = { attribute: 'attributes', param: 'params', metric: 'metrics', tag: 'tags' };

export function columnId(c: Column): string {
  return `${PREFIX[c.kind]}.${c.key}`;
}

export function parseColumnId(id: string): Column | null {
  const dot = id.indexOf('.');
  if (dot <= 0) return null;
  const prefix = id.slice(0, dot);
  const key = id.slice(dot + 1);
  const kind = (Object.keys(PREFIX) as ColumnKind[]).find((k) => PREFIX[k] === prefix);
  return kind === undefined || key === '' ? null : { kind, key };
}

/** Every param, metric and tag key of the runs, sorted within its kind (tags starting with "mlflow." left out). */
export function availableColumns(runs: readonly RunRow[]): Column[] {
  const keys = { param: new Set<string>(), metric: new Set<string>(), tag: new Set<string>() };
  for (const r of runs) {
    for (const k of Object.keys(r.params)) keys.param.add(k);
    for (const k of Object.keys(r.metrics)) keys.metric.add(k);
    for (const k of Object.keys(r.tags)) if (!k.startsWith('mlflow.')) keys.tag.add(k);
  }
  const of = (kind: 'param' | 'metric' | 'tag') => [...keys[kind]].sort().map((key) => ({ kind, key }) as Column);
  return [...ATTRIBUTE_COLUMNS, ...of('metric'), ...of('param'), ...of('tag')];
}

/**
 * The shown columns: the user's choice when there is one (keeping only those that still exist), else the
 * attributes, the first `metrics` metrics and the first `params` params.
 */
export function visibleColumns(available: readonly Column[], chosen: readonly string[] | null, defaults = { metrics: 4, params: 4 }): Column[] {
  if (chosen !== null) {
    const byId = new Map(available.map((c) => [columnId(c), c]));
    return chosen.map((id) => byId.get(id)).filter((c): c is Column => c !== undefined);
  }
  return [
    ...available.filter((c) => c.kind === 'attribute'),
    ...available.filter((c) => c.kind === 'metric').slice(0, defaults.metrics),
    ...available.filter((c) => c.kind === 'param').slice(0, defaults.params),
  ];
}

export function cellValue(run: RunRow, c: Column): string | number | null {
  switch (c.kind) {
    case 'param':
      return run.params[c.key] ?? null;
    case 'tag':
      return run.tags[c.key] ?? null;
    case 'metric': {
      const m = run.metrics[c.key];
      return m === undefined ? null : m.value;
    }
    case 'attribute':
      if (c.key === 'duration') return run.start_time !== null && run.end_time !== null ? run.end_time - run.start_time : null;
      return (run as unknown as Record<string, string | number | null>)[c.key] ?? null;
  }
}

/** Whether the server can sort by the column (duration is computed here, so it cannot). */
export function sortable(c: Column): boolean {
  return !(c.kind === 'attribute' && c.key === 'duration');
}

export interface Sort {
  column: string;
  desc: boolean;
}

/** A header click: a new column sorts descending first, the same column flips, a third click clears the sort. */
export function nextSort(current: Sort | null, column: string): Sort | null {
  if (current === null || current.column !== column) return { column, desc: true };
  if (current.desc) return { column, desc: false };
  return null;
}

export function orderBy(sort: Sort | null): string[] {
  if (sort === null) return ['attributes.start_time DESC'];
  const c = parseColumnId(sort.column);
  if (c === null) return ['attributes.start_time DESC'];
  const quoted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(c.key) ? c.key : `\`${c.key.replace(/`/g, '``')}\``;
  return [`${PREFIX[c.kind]}.${quoted} ${sort.desc ? 'DESC' : 'ASC'}`];
}
