import { authError, type Grant } from '@trackstream/auth';
import type { Request } from 'express';
import { authFailure, forbiddenEvents, tokenAuthenticator } from './auth';
import { GatewayError } from './errors';

const grant = (project: string, role: Grant['role']): Grant => ({ tokenId: 'tk_1', principal: 'ada@lab', project, role, rateLimitPerSec: null });
const request = (authorization?: string) => ({ get: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : undefined) }) as unknown as Request;
const TOKEN = `tsk_${'B'.repeat(43)}`;

describe('gateway authentication', () => {
  it('given a writer token, then the context carries its grant and principal; a reader token is FORBIDDEN before any body is read', () => {
    const writer = tokenAuthenticator({ validate: () => grant('vision', 'writer') })(request(`Bearer ${TOKEN}`));
    expect(writer).toEqual({ principal: 'ada@lab', grant: grant('vision', 'writer') });
    let caught: unknown;
    try {
      tokenAuthenticator({ validate: () => grant('vision', 'reader') })(request(`Bearer ${TOKEN}`));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect([(caught as GatewayError).status, (caught as GatewayError).extra.who]).toEqual([403, { principal: 'ada@lab', tokenId: 'tk_1' }]);
  });

  it('names every event outside the projects the token may write; a * token may write anywhere; auth off restricts nothing', () => {
    const events = [{ project: 'vision' }, { project: 'nlp' }, { project: 'vision' }, { project: 'audio' }];
    expect(forbiddenEvents({ principal: 'ada@lab', grant: grant('vision', 'writer') }, events).map((p) => p.index)).toEqual([1, 3]);
    expect(forbiddenEvents({ principal: 'root', grant: grant('*', 'admin') }, events)).toEqual([]);
    expect(forbiddenEvents({ principal: 'anonymous', grant: null }, events)).toEqual([]);
  });

  it('maps AuthError codes to 401/403/503 with the code as reason, never the token', () => {
    const cases = [
      ['TOKEN_MISSING', 401],
      ['TOKEN_MALFORMED', 401],
      ['TOKEN_UNKNOWN', 401],
      ['TOKEN_REVOKED', 401],
      ['TOKEN_EXPIRED', 401],
      ['FORBIDDEN', 403],
      ['AUTH_UNAVAILABLE', 503],
    ] as const;
    for (const [code, status] of cases) {
      const e = authFailure(authError(code, `about token tk_1`));
      expect([e.status, (e.extra.details as { reason: string }).reason]).toEqual([status, code]);
      expect(e.message).not.toContain('tsk_');
    }
    expect(authFailure(new TypeError('bug')).code).toBe('INTERNAL');
  });
});
