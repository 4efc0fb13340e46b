import type { TrackstreamEvent, ValidationProblem } from '@trackstream/events';
import { parseFilter, parseOrderBy, SearchError } from '@trackstream/search';
import { validationFailed } from '../errors';

/**
 * Step views: a saved view's filter and order must be ones the runs search accepts (the one grammar,
 * @trackstream/search), so a view never fails when it is opened. 400 VALIDATION_FAILED naming the field; nothing
 * appended.
 */
export function viewProblems(events: readonly TrackstreamEvent[]): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  events.forEach((e, index) => {
    if (e.type !== 'view_saved') return;
    const check = (field: 'filter' | 'order_by', parse: () => unknown) => {
      try {
        parse();
      } catch (err) {
        if (!(err instanceof SearchError)) throw err;
        problems.push({ index, path: `events[${index}].payload.${field}`, message: err.message });
      }
    };
    const { filter, order_by } = e.payload;
    if (filter !== null) check('filter', () => parseFilter(filter));
    check('order_by', () => parseOrderBy(order_by));
  });
  return problems;
}

export function checkViews(events: readonly TrackstreamEvent[]): void {
  const problems = viewProblems(events);
  if (problems.length > 0) throw validationFailed(problems);
}
