import type { Express } from 'express';
import type { RouteContext } from './context';
import { bodyObject, storableStringArray } from './params';

export const MAX_SUMMARY_EXPERIMENTS = 1000;

/**
 * `POST /v1/experiments/summaries {experiment_ids}` → `{summaries: {id: {run_count, active_runs, last_activity}}}`:
 * what the UI's experiments list shows beside each name. Counted in Postgres (runs table of docs/projectors.md),
 * within the caller's projects; an unknown or hidden experiment counts 0 runs.
 */
export function registerSummaryRoute(app: Express, ctx: RouteContext): void {
  app.post('/v1/experiments/summaries', ctx.authorize, ctx.jsonBody, async (req, res) => {
    const body = bodyObject(req.body);
    const ids = [...new Set(storableStringArray(body.experiment_ids, 'experiment_ids', { min: 1, max: MAX_SUMMARY_EXPERIMENTS }))];
    await ctx.freshness(req, res, { postgres: true, clickhouse: false });
    const summaries = await ctx.read.experimentSummaries(ids, ctx.scope(res).projects);
    res.json({ summaries });
  });
}
