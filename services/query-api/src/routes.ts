import type { Express } from 'express';
import type { RouteContext } from './context';
import type { Goal } from '@trackstream/read-model';
import { QueryError } from './errors';
import { bodyObject, decodeCursor, encodeCursor, intParam, isId, isStorableText, optionalString, stepParam, storableStringArray, stringArray } from './params';
import { registerSearchRoute } from './search-route';
import { registerLineageRoutes } from './lineage-routes';
import { registerCollabRoutes } from './collab-routes';
import { registerAuditRoute } from './audit-route';

export const MAX_COMPARE_RUNS = 100;
export const DEFAULT_MAX_POINTS = 1000;
export const MAX_POINTS_LIMIT = 10_000;
export const MAX_EXPERIMENTS_PAGE = 1000;

const PG = { postgres: true, clickhouse: false };
const BOTH = { postgres: true, clickhouse: true };

export function registerRoutes(app: Express, ctx: RouteContext): void {
  // Every /v1 route starts with ctx.authorize, and every query below is limited to ctx.scope(res)'s projects:
  // another project's run or experiment is answered exactly as one that does not exist.
  app.get('/v1/experiments', ctx.authorize, async (req, res) => {
    await ctx.freshness(req, res, PG);
    const limit = intParam(req.query.max_results, 'max_results', 100, 1, MAX_EXPERIMENTS_PAGE);
    const project = optionalString(req.query.project, 'project');
    if (project !== null && !isStorableText(project)) throw new QueryError('BAD_REQUEST', 'project is not a valid project id', { field: 'project' });
    const token = optionalString(req.query.page_token, 'page_token');
    const afterId = token === null ? null : decodeCursor(token);
    // One more than the page tells whether another page exists without a count.
    const rows = await ctx.read.listExperiments({ project, projects: ctx.scope(res).projects, afterId, limit: limit + 1 });
    const page = rows.slice(0, limit);
    res.json({ experiments: page, next_page_token: rows.length > limit ? encodeCursor(page[page.length - 1]!.experiment_id) : null });
  });

  app.get('/v1/experiments/:id', ctx.authorize, async (req, res) => {
    await ctx.freshness(req, res, PG);
    const project = optionalString(req.query.project, 'project');
    // An id or name no store can hold (NUL, lone surrogate, overlong) is unknown: answered before any SQL.
    if (!isStorableText(req.params.id)) throw new QueryError('EXPERIMENT_NOT_FOUND', `no experiment with id or name ${JSON.stringify(req.params.id.slice(0, 200))}`);
    if (project !== null && !isStorableText(project)) throw new QueryError('BAD_REQUEST', 'project is not a valid project id', { field: 'project' });
    const found = await ctx.read.findExperiments(req.params.id, project, ctx.scope(res).projects);
    if (found.experiments.length === 0) throw new QueryError('EXPERIMENT_NOT_FOUND', `no experiment with id or name ${JSON.stringify(req.params.id)}`);
    if (found.experiments.length > 1) {
      // Names are unique only within a project; the caller picks one with ?project=.
      throw new QueryError('EXPERIMENT_AMBIGUOUS', `${found.experiments.length} experiments are named ${JSON.stringify(req.params.id)}; add ?project=`, {
        candidates: found.experiments.map((e) => ({ experiment_id: e.experiment_id, project: e.project })),
      });
    }
    res.json({ experiment: found.experiments[0] });
  });

  registerSearchRoute(app, ctx);
  registerLineageRoutes(app, ctx);
  registerCollabRoutes(app, ctx);
  registerAuditRoute(app, ctx);

  app.post('/v1/runs/compare', ctx.authorize, ctx.jsonBody, async (req, res) => {
    const body = bodyObject(req.body);
    const runIds = [...new Set(stringArray(body.run_ids, 'run_ids', { min: 1, max: MAX_COMPARE_RUNS }))];
    const keys = body.metric_keys === undefined || body.metric_keys === null ? null : storableStringArray(body.metric_keys, 'metric_keys', { min: 0, max: 1000 });
    const goals = parseGoals(body.metric_goals);
    await ctx.freshness(req, res, BOTH);
    // A run of a project the token cannot read is missing, named like an unknown id.
    // Ids outside the id grammar cannot exist: they are missing without reaching a store.
    const compared = await ctx.read.compareRuns({ runIds, lookup: runIds.filter(isId), metricKeys: keys, goals, projects: ctx.scope(res).projects });
    if (compared.missing !== null) {
      const missing = compared.missing;
      throw new QueryError('RUN_NOT_FOUND', `unknown runs: ${missing.slice(0, 10).join(', ')}`, { missing });
    }
    res.json(compared.comparison);
  });

  app.get('/v1/runs/:run_id', ctx.authorize, async (req, res) => {
    await ctx.freshness(req, res, PG);
    if (!isId(req.params.run_id)) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(req.params.run_id.slice(0, 200))}`);
    const [run] = await ctx.read.loadRuns([req.params.run_id], ctx.scope(res).projects);
    if (!run) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(req.params.run_id)}`);
    res.json({ run });
  });

  app.get('/v1/runs/:run_id/metrics/:key', ctx.authorize, async (req, res) => {
    const maxPoints = intParam(req.query.max_points, 'max_points', DEFAULT_MAX_POINTS, 1, MAX_POINTS_LIMIT);
    const range = { from: stepParam(req.query.min_step, 'min_step'), to: stepParam(req.query.max_step, 'max_step') };
    if (range.from !== null && range.to !== null && range.from > range.to) throw new QueryError('BAD_REQUEST', 'min_step must not be above max_step', { field: 'min_step' });
    if (!isStorableText(req.params.key)) throw new QueryError('BAD_REQUEST', 'the metric key must not hold NUL bytes or lone surrogates, and at most 250 characters', { field: 'key' });
    // The project comes from Postgres (ClickHouse's tables are keyed by project first), so both must be fresh.
    await ctx.freshness(req, res, BOTH);
    if (!isId(req.params.run_id)) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(req.params.run_id.slice(0, 200))}`);
    const projects = await ctx.read.runProjects([req.params.run_id], ctx.scope(res).projects);
    const project = projects.get(req.params.run_id);
    if (project === undefined) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(req.params.run_id)}`);
    res.json(await ctx.read.metricHistory(project, req.params.run_id, req.params.key, maxPoints, range));
  });
}

function parseGoals(raw: unknown): Record<string, Goal> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new QueryError('BAD_REQUEST', 'metric_goals must map metric keys to "min" or "max"', { field: 'metric_goals' });
  const out: Record<string, Goal> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v !== 'min' && v !== 'max') throw new QueryError('BAD_REQUEST', `metric_goals.${k} must be "min" or "max"`, { field: `metric_goals.${k}` });
    out[k] = v;
  }
  return out;
}
