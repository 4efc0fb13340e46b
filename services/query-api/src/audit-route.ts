import type { Express, Request, Response } from 'express';
import type { AuditSubject } from '@trackstream/read-model';
import type { RouteContext } from './context';
import { QueryError } from './errors';
import { decodeCursor, encodeCursor, intParam, isId, optionalString } from './params';

export const DEFAULT_AUDIT_PAGE = 200;
export const MAX_AUDIT_PAGE = 1000;

/** The page token's offset: the cursor this API issued wraps a log offset. */
function afterOffset(token: string | null): bigint | null {
  if (token === null) return null;
  const offset = decodeCursor(token);
  if (!/^\d{1,20}$/.test(offset)) throw new QueryError('PAGE_TOKEN_INVALID', 'page_token is not a token this API issued', { field: 'page_token' });
  return BigInt(offset);
}

/** Paging of an audit timeline, checked before any store is asked. */
function auditPage(req: Request): { limit: number; after: bigint | null } {
  return { limit: intParam(req.query.max_results, 'max_results', DEFAULT_AUDIT_PAGE, 1, MAX_AUDIT_PAGE), after: afterOffset(optionalString(req.query.page_token, 'page_token')) };
}

/** One page of the subject's timeline, answered with the cursor of the next (one more row tells whether it exists). */
async function answerAudit(ctx: RouteContext, res: Response, project: string, subject: AuditSubject, page: { limit: number; after: bigint | null }): Promise<void> {
  const rows = await ctx.read.auditEvents(project, subject, page.after, page.limit + 1);
  const events = rows.slice(0, page.limit);
  res.json({ events, next_page_token: rows.length > page.limit ? encodeCursor(events[events.length - 1]!.offset) : null });
}

/**
 * Audit timelines from the projections (who sent what, when, what it changed, param conflicts), in log order,
 * cursor-paged: `GET /v1/runs/:run_id/events` (a run's events) and `GET /v1/experiments/:id/events` (an
 * experiment's own events: created, renamed, tags, deleted/restored; by id). Another project's run or experiment
 * is answered as an unknown one.
 */
export function registerAuditRoute(app: Express, ctx: RouteContext): void {
  app.get('/v1/runs/:run_id/events', ctx.authorize, async (req, res) => {
    const page = auditPage(req);
    await ctx.freshness(req, res, { postgres: true, clickhouse: true });
    if (!isId(req.params.run_id)) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(req.params.run_id.slice(0, 200))}`);
    const project = (await ctx.read.runProjects([req.params.run_id], ctx.scope(res).projects)).get(req.params.run_id);
    if (project === undefined) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(req.params.run_id)}`);
    await answerAudit(ctx, res, project, { runId: req.params.run_id }, page);
  });

  app.get('/v1/experiments/:id/events', ctx.authorize, async (req, res) => {
    const page = auditPage(req);
    await ctx.freshness(req, res, { postgres: true, clickhouse: true });
    const id = req.params.id;
    const unknown = () => new QueryError('EXPERIMENT_NOT_FOUND', `no experiment with id ${JSON.stringify(id.slice(0, 200))}`);
    if (!isId(id)) throw unknown();
    const experiment = (await ctx.read.findExperiments(id, null, ctx.scope(res).projects)).experiments.find((e) => e.experiment_id === id);
    if (experiment === undefined) throw unknown();
    await answerAudit(ctx, res, experiment.project, { experimentId: id }, page);
  });
}
