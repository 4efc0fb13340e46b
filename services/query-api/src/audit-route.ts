import type { Express } from 'express';
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

/**
 * `GET /v1/runs/:run_id/events`: the run's audit timeline from the projections (who sent what, when, what it
 * changed, param conflicts), in log order, cursor-paged. Another project's run is answered as an unknown one.
 */
export function registerAuditRoute(app: Express, ctx: RouteContext): void {
  app.get('/v1/runs/:run_id/events', ctx.authorize, async (req, res) => {
    const limit = intParam(req.query.max_results, 'max_results', DEFAULT_AUDIT_PAGE, 1, MAX_AUDIT_PAGE);
    const after = afterOffset(optionalString(req.query.page_token, 'page_token'));
    await ctx.freshness(req, res, { postgres: true, clickhouse: true });
    if (!isId(req.params.run_id)) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(req.params.run_id.slice(0, 200))}`);
    const project = (await ctx.read.runProjects([req.params.run_id], ctx.scope(res).projects)).get(req.params.run_id);
    if (project === undefined) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(req.params.run_id)}`);
    // One more than the page tells whether another page exists.
    const rows = await ctx.read.runEvents(project, req.params.run_id, after, limit + 1);
    const page = rows.slice(0, limit);
    res.json({ events: page, next_page_token: rows.length > limit ? encodeCursor(page[page.length - 1]!.offset) : null });
  });
}
