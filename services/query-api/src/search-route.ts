import type { Express } from 'express';
import type { SearchRequest } from '@trackstream/search';
import type { RouteContext } from './context';
import { visibleProjects } from './auth';
import { QueryError } from './errors';
import { bodyObject, storableStringArray } from './params';

export const MAX_SEARCH_EXPERIMENTS = 1000;

export function registerSearchRoute(app: Express, ctx: RouteContext): void {
  app.post('/v1/runs/search', ctx.authorize, ctx.jsonBody, async (req, res) => {
    const body = bodyObject(req.body);
    const requested = body.projects === undefined || body.projects === null ? null : storableStringArray(body.projects, 'projects', { min: 1, max: 1000 });
    const request: Omit<SearchRequest, 'schema'> = {
      experimentIds: storableStringArray(body.experiment_ids, 'experiment_ids', { min: 1, max: MAX_SEARCH_EXPERIMENTS }),
      // Only the token's projects: a run elsewhere never matches (an empty list sees nothing).
      projects: visibleProjects(ctx.scope(res), requested),
    };
    if (body.filter !== undefined && body.filter !== null) {
      if (typeof body.filter !== 'string') throw new QueryError('FILTER_INVALID', 'filter must be a string', { position: 0, expected: 'a string' });
      request.filter = body.filter;
    }
    if (body.order_by !== undefined && body.order_by !== null) {
      if (!Array.isArray(body.order_by) || !body.order_by.every((o) => typeof o === 'string')) {
        throw new QueryError('ORDER_BY_INVALID', 'order_by must be an array of strings', { position: 0, expected: 'an array of strings' });
      }
      request.orderBy = body.order_by as string[];
    }
    if (body.max_results !== undefined && body.max_results !== null) {
      if (typeof body.max_results !== 'number') throw new QueryError('MAX_RESULTS_INVALID', 'max_results must be a number');
      request.maxResults = body.max_results;
    }
    if (body.page_token !== undefined && body.page_token !== null && body.page_token !== '') {
      if (typeof body.page_token !== 'string') throw new QueryError('PAGE_TOKEN_INVALID', 'page_token must be a string');
      request.pageToken = body.page_token;
    }
    // Compiling first: a bad filter is a 400 at once, without waiting for a token.
    const search = ctx.read.prepareSearch(request);
    await ctx.freshness(req, res, { postgres: true, clickhouse: false });
    const end = ctx.metrics.searchSeconds.startTimer();
    try {
      const { runs, nextPageToken } = await search.execute();
      res.json({ runs, next_page_token: nextPageToken });
    } finally {
      end();
    }
  });
}
