import { AuthError, AuthUnavailableError, bearerToken, canAccess, unauthenticatedMessage, type TokenValidator } from '@trackstream/auth';
import { MlflowError } from '@trackstream/mlflow-protocol';

/**
 * Access control. Off: every call works in the configured project. On: MLflow's client sends MLFLOW_TRACKING_TOKEN
 * as `Authorization: Bearer …`; it must be a Trackstream API token, and its project scopes every read and write
 * (a '*' token works in the configured project). Reads need the `read` capability, writes `write`.
 */
export type MlflowAuth = { mode: 'off' } | { mode: 'on'; validator: Pick<TokenValidator, 'validate'> };

export interface Caller {
  project: string;
  principal: string;
}

export type Access = 'read' | 'write';

export function authorize(auth: MlflowAuth, authorization: string | undefined, defaultProject: string, access: Access): Caller {
  if (auth.mode === 'off') return { project: defaultProject, principal: 'mlflow' };
  let grant;
  try {
    const token = bearerToken(authorization);
    if (token === undefined) throw new MlflowError('UNAUTHENTICATED', `${unauthenticatedMessage('TOKEN_MISSING')} (set MLFLOW_TRACKING_TOKEN to a Trackstream API token)`);
    grant = auth.validator.validate(token);
  } catch (err) {
    if (err instanceof AuthError) {
      if (err instanceof AuthUnavailableError) throw new MlflowError('TEMPORARILY_UNAVAILABLE', 'API tokens cannot be checked right now; retry later', 1);
      throw new MlflowError('UNAUTHENTICATED', unauthenticatedMessage(err.code));
    }
    throw err;
  }
  const project = grant.project === '*' ? defaultProject : grant.project;
  if (!canAccess(grant, access, project)) {
    throw new MlflowError('PERMISSION_DENIED', `token ${grant.tokenId} (role ${grant.role}) may not ${access} project ${project}`);
  }
  return { project, principal: grant.principal };
}
