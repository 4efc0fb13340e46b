import type { Request } from 'express';
import { bearerToken, readableProjects, roleAllows, unauthenticatedMessage, type TokenValidator } from '@trackstream/auth';
import type { ArtifactCaller } from '@trackstream/artifacts';
import { ArtifactHttpError, toHttpError } from './errors';

/**
 * Access control. Off (local single-user setup): every project, principal from X-Trackstream-Principal. On: a
 * token with `write` to upload, `read` to download and list, scoped to the token's project (another project's run
 * answers as an unknown one).
 */
export type ArtifactAuth = { mode: 'off' } | { mode: 'on'; validator: Pick<TokenValidator, 'validate'> };

export const PRINCIPAL_HEADER = 'x-trackstream-principal';

/** The caller of a request that needs `cap`, or the 401/403 that refuses it. */
export function authorize(auth: ArtifactAuth, req: Request, cap: 'read' | 'write'): ArtifactCaller {
  if (auth.mode === 'off') {
    const claimed = req.get(PRINCIPAL_HEADER);
    return { projects: null, principal: claimed === undefined || claimed === '' ? 'anonymous' : claimed.slice(0, 200) };
  }
  try {
    const token = bearerToken(req.get('authorization'));
    if (token === undefined) throw new ArtifactHttpError('UNAUTHENTICATED', unauthenticatedMessage('TOKEN_MISSING'), { reason: 'TOKEN_MISSING' });
    const grant = auth.validator.validate(token);
    if (!roleAllows(grant.role, cap)) {
      throw new ArtifactHttpError('FORBIDDEN', `token ${grant.tokenId} (role ${grant.role}) may not ${cap} artifacts`, { reason: 'FORBIDDEN' }, { principal: grant.principal, tokenId: grant.tokenId });
    }
    return { projects: readableProjects(grant), principal: grant.principal };
  } catch (err) {
    throw toHttpError(err);
  }
}
