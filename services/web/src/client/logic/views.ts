import { parseColumnId, type Sort } from './columns';
import type { SavedViewView } from './wire';

/** What a saved view sets on the runs table: the filter, the sort (its first order_by term) and the chosen columns. */
export interface ViewState {
  filter: string | null;
  sort: Sort | null;
  columns: string[] | null;
}

/** `metrics.loss ASC` / ``params.`my key` DESC`` → a sort on that column; anything else → null. */
export function sortOf(term: string | undefined): Sort | null {
  const m = /^\s*(attributes|params|metrics|tags)\.(?:`((?:[^`]|``)+)`|([^\s`]+))(?:\s+(ASC|DESC))?\s*$/i.exec(term ?? '');
  if (m === null) return null;
  const key = m[2] !== undefined ? m[2].replace(/``/g, '`') : m[3]!;
  return { column: `${m[1]!.toLowerCase()}.${key}`, desc: (m[4] ?? 'ASC').toUpperCase() === 'DESC' };
}

export function viewState(v: Pick<SavedViewView, 'filter' | 'order_by' | 'columns'>): ViewState {
  const columns = v.columns.filter((c) => parseColumnId(c) !== null);
  return { filter: v.filter === null || v.filter.trim() === '' ? null : v.filter, sort: sortOf(v.order_by[0]), columns: columns.length > 0 ? columns : null };
}
