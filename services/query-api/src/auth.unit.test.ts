import { AuthError, authError, type Grant } from '@trackstream/auth';
import type { Request, Response } from 'express';
import { authorizeRead, scopeOf, visibleProjects } from './auth';
import { QueryError } from './errors';

const grant = (project: string, role: Grant['role']): Grant => ({ tokenId: 'tk_1', principal: 'ada@lab', project, role, rateLimitPerSec: null });

function run(handler: ReturnType<typeof authorizeRead>, authorization?: string): { err: unknown; res: Response } {
  const req = { get: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : undefined) } as unknown as Request;
  const res = { locals: {} } as unknown as Response;
  let err: unknown = 'not called';
  handler(req, res, (e?: unknown) => (err = e));
  return { err, res };
}

describe('query API authorization', () => {
  const TOKEN = `tsk_${'A'.repeat(43)}`;

  it('given auth off, then every project is visible without a token', () => {
    const { err, res } = run(authorizeRead({ mode: 'off' }));
    expect(err).toBeUndefined();
    expect(scopeOf(res)).toEqual({ grant: null, projects: null });
  });

  it('given a reader of one project, then the scope is that project; a writer is FORBIDDEN; no token is TOKEN_MISSING', () => {
    const as = (g: Grant) => authorizeRead({ mode: 'on', validator: { validate: () => g } });
    const reader = run(as(grant('vision', 'reader')), `Bearer ${TOKEN}`);
    expect(reader.err).toBeUndefined();
    expect(scopeOf(reader.res).projects).toEqual(['vision']);
    expect(scopeOf(run(as(grant('*', 'auditor')), `Bearer ${TOKEN}`).res).projects).toBeNull();
    const writer = run(as(grant('vision', 'writer')), `Bearer ${TOKEN}`).err as QueryError;
    expect([writer.code, writer.status, writer.who?.principal]).toEqual(['FORBIDDEN', 403, 'ada@lab']);
    const missing = run(as(grant('vision', 'reader'))).err as QueryError;
    expect([missing.code, missing.status, missing.details]).toEqual(['UNAUTHENTICATED', 401, { reason: 'TOKEN_MISSING' }]);
  });

  it('given a validator error, then its code becomes the reason and the answer never holds the token', () => {
    const failing = (code: AuthError['code']) => authorizeRead({ mode: 'on', validator: { validate: () => { throw authError(code, `token tk_1 of ada@lab: ${code}`); } } });
    for (const [code, status] of [['TOKEN_REVOKED', 401], ['TOKEN_EXPIRED', 401], ['TOKEN_UNKNOWN', 401], ['AUTH_UNAVAILABLE', 503]] as const) {
      const e = run(failing(code), `Bearer ${TOKEN}`).err as QueryError;
      expect([e.status, (e.details as { reason: string }).reason]).toEqual([status, code]);
      expect(JSON.stringify({ message: e.message, details: e.details })).not.toContain(TOKEN);
    }
    const garbled = run(failing('TOKEN_UNKNOWN'), 'Bearer nope').err as QueryError;
    expect((garbled.details as { reason: string }).reason).toBe('TOKEN_MALFORMED');
  });

  it('intersects the projects a request names with what the token may read (empty = nothing)', () => {
    expect(visibleProjects({ grant: null, projects: null }, null)).toBeNull();
    expect(visibleProjects({ grant: null, projects: null }, ['a'])).toEqual(['a']);
    expect(visibleProjects({ grant: null, projects: ['a'] }, null)).toEqual(['a']);
    expect(visibleProjects({ grant: null, projects: ['a'] }, ['a', 'b'])).toEqual(['a']);
    expect(visibleProjects({ grant: null, projects: ['a'] }, ['b'])).toEqual([]);
  });
});
