import type { Express, Request, Response } from 'express';
import type { RouteContext } from './context';
import { QueryError } from './errors';
import { isId } from './params';

// An experiment's own notes and saved views (a run's notes, annotations and stars come with GET /v1/runs/:run_id).
// Steps: authorize → the experiment by id within the caller's projects (404 otherwise, as a hidden one) → read.

export function registerCollabRoutes(app: Express, ctx: RouteContext): void {
  const experimentInScope = async (req: Request, res: Response): Promise<string> => {
    await ctx.freshness(req, res, { postgres: true, clickhouse: false });
    const id = String(req.params.id ?? '');
    const found = isId(id) ? await ctx.read.findExperiments(id, null, ctx.scope(res).projects) : { byId: false, experiments: [] };
    if (!found.byId || found.experiments.length === 0) throw new QueryError('EXPERIMENT_NOT_FOUND', `no experiment with id ${JSON.stringify(id.slice(0, 200))}`);
    return id;
  };

  app.get('/v1/experiments/:id/notes', ctx.authorize, async (req, res) => {
    const id = await experimentInScope(req, res);
    res.json({ notes: await ctx.read.experimentNotes(id) });
  });

  app.get('/v1/experiments/:id/views', ctx.authorize, async (req, res) => {
    const id = await experimentInScope(req, res);
    res.json({ views: await ctx.read.savedViews(id) });
  });
}
