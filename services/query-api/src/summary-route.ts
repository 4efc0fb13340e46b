import type { Express } from 'express';
import type { RouteContext } from './context';
import { bodyObject, stringArray } from './params';
import { toNumberOrNull } from '@trackstream/read-model';

export const MAX_SUMMARY_EXPERIMENTS = 1000;

/**
 * `POST /v1/experiments/summaries {experiment_ids}` → `{summaries: {id: {run_count, active_runs, last_activity}}}`:
 * what the UI's experiments list shows beside each name. Counted in Postgres (runs table of docs/projectors.md),
 * within the caller's projects; an unknown or hidden experiment counts 0 runs.
 */
export function registerSummaryRoute(app: Express, ctx: RouteContext): void {
  app.post('/v1/experiments/summaries', ctx.authorize, ctx.jsonBody, async (req, res) => {
    const body = bodyObject(req.body);
    const ids = [...new Set(stringArray(body.experiment_ids, 'experiment_ids', { min: 1, max: MAX_SUMMARY_EXPERIMENTS }))];
    await ctx.freshness(req, res, { postgres: true, clickhouse: false });
    const projects = ctx.scope(res).projects;
    const schema = `"${ctx.pg.schema}"`; // validated by PostgresReader's constructor
    const rows = await ctx.pg.query(
      `SELECT experiment_id, count(*)::int AS run_count, count(*) FILTER (WHERE status = 'RUNNING')::int AS active_runs,
              max(GREATEST(start_time, end_time)) AS last_activity
         FROM ${schema}.runs WHERE experiment_id = ANY($1) AND ($2::text[] IS NULL OR project = ANY($2))
        GROUP BY experiment_id`,
      [ids, projects === null ? null : [...projects]],
    );
    const summaries: Record<string, { run_count: number; active_runs: number; last_activity: number | null }> = {};
    for (const id of ids) summaries[id] = { run_count: 0, active_runs: 0, last_activity: null };
    for (const r of rows) {
      summaries[String(r.experiment_id)] = { run_count: Number(r.run_count), active_runs: Number(r.active_runs), last_activity: toNumberOrNull(r.last_activity) };
    }
    res.json({ summaries });
  });
}
