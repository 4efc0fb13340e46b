import type { MetricStats } from './ch-reader';
import { jsonNumber, type JsonNumber } from './values';

export type Goal = 'min' | 'max';

// Keys that name an error or a cost: lower is better. Everything else (accuracy, f1, auc, reward…) is maximised.
const LOWER_IS_BETTER = /(loss|err|error|mse|mae|rmse|perplexity|latency|duration|time|cost|regret|wer|cer)/i;

/** The goal of a metric: the caller's `metric_goals[key]`, else guessed from its name (see LOWER_IS_BETTER). */
export function defaultGoal(key: string): Goal {
  return LOWER_IS_BETTER.test(key) ? 'min' : 'max';
}

export interface MetricComparison {
  goal: Goal;
  /** The run whose last value is best for the goal; NaN last values never win; ties go to the earlier run in run_ids. */
  best_run_id: string | null;
  best_value: JsonNumber | null;
  runs: Record<string, { last: JsonNumber; last_step: number; min: JsonNumber; max: JsonNumber; mean: JsonNumber; count: number } | null>;
}

export function compareMetric(key: string, runIds: readonly string[], stats: Map<string, Map<string, MetricStats>>, goal: Goal | undefined): MetricComparison {
  const g = goal ?? defaultGoal(key);
  const runs: MetricComparison['runs'] = {};
  let best: { run: string; value: number } | null = null;
  for (const run of runIds) {
    const s = stats.get(run)?.get(key);
    if (!s) {
      runs[run] = null;
      continue;
    }
    runs[run] = { last: jsonNumber(s.last), last_step: s.last_step, min: jsonNumber(s.min), max: jsonNumber(s.max), mean: jsonNumber(s.mean), count: s.count };
    if (Number.isNaN(s.last)) continue;
    if (best === null || (g === 'min' ? s.last < best.value : s.last > best.value)) best = { run, value: s.last };
  }
  return { goal: g, best_run_id: best?.run ?? null, best_value: best === null ? null : jsonNumber(best.value), runs };
}
