import { ArtifactPathError, ArtifactStoreError } from '@trackstream/artifacts';
import { AuthError, AuthForbiddenError, deniedWho, unauthenticatedMessage } from '@trackstream/auth';
import { TrackstreamError } from '@trackstream/errors';
import { EventLogError } from '@trackstream/kafka';
import { StoreUnavailableError } from '@trackstream/read-model';

/** Every error the artifact store answers with; the HTTP status derives from the code here and nowhere else. */
export type ArtifactHttpCode =
  | 'INVALID_ARTIFACT_PATH'
  | 'INVALID_RUN_ID'
  | 'BAD_REQUEST'
  | 'LENGTH_REQUIRED'
  | 'SIZE_MISMATCH'
  | 'CHECKSUM_MISMATCH'
  | 'RANGE_NOT_SATISFIABLE'
  | 'RUN_NOT_FOUND'
  | 'ARTIFACT_NOT_FOUND'
  | 'UPLOAD_NOT_FOUND'
  | 'INVALID_PART'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'AUTH_UNAVAILABLE'
  | 'STORE_UNAVAILABLE'
  | 'LOG_UNAVAILABLE'
  | 'INTERNAL';

const STATUS: Record<ArtifactHttpCode, number> = {
  INVALID_ARTIFACT_PATH: 400,
  INVALID_RUN_ID: 400,
  BAD_REQUEST: 400,
  LENGTH_REQUIRED: 411,
  SIZE_MISMATCH: 400,
  CHECKSUM_MISMATCH: 400,
  RANGE_NOT_SATISFIABLE: 416,
  RUN_NOT_FOUND: 404,
  ARTIFACT_NOT_FOUND: 404,
  UPLOAD_NOT_FOUND: 404,
  INVALID_PART: 400,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  AUTH_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  LOG_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class ArtifactHttpError extends TrackstreamError {
  readonly retriable: boolean;
  constructor(
    readonly code: ArtifactHttpCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly who?: { principal?: string; tokenId?: string },
  ) {
    super(message);
    this.name = 'ArtifactHttpError';
    this.retriable = STATUS[code] === 503;
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export function errorBody(e: ArtifactHttpError): { error: { code: ArtifactHttpCode; message: string; details?: Record<string, unknown> } } {
  return { error: e.details === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, details: e.details } };
}

/** What the core, the auth package and the adapters throw, as the service's answer; unknown failures are INTERNAL. */
export function toHttpError(err: unknown): ArtifactHttpError {
  if (err instanceof ArtifactHttpError) return err;
  if (err instanceof ArtifactPathError) return new ArtifactHttpError('INVALID_ARTIFACT_PATH', err.message, { reason: err.reason });
  if (err instanceof ArtifactStoreError) {
    switch (err.code) {
      case 'SIZE_MISMATCH':
      case 'CHECKSUM_MISMATCH':
      case 'RANGE_NOT_SATISFIABLE':
      case 'RUN_NOT_FOUND':
      case 'ARTIFACT_NOT_FOUND':
      case 'UPLOAD_NOT_FOUND':
      case 'INVALID_PART':
      case 'STORE_UNAVAILABLE':
        return new ArtifactHttpError(err.code, err.message, Object.keys(err.details).length === 0 ? undefined : err.details);
      case 'BLOB_NOT_FOUND':
        // The event names a blob the store no longer holds (collected or lost): the artifact cannot be served.
        return new ArtifactHttpError('ARTIFACT_NOT_FOUND', 'the artifact is recorded but its content is missing from the store');
      case 'INVALID_DIGEST':
        return new ArtifactHttpError('BAD_REQUEST', err.message, { field: 'x-trackstream-sha256' });
      default:
        return new ArtifactHttpError('BAD_REQUEST', err.message);
    }
  }
  if (err instanceof AuthError) {
    const who = deniedWho(err);
    if (err.retriable) return new ArtifactHttpError('AUTH_UNAVAILABLE', 'API tokens cannot be checked right now; retry later', { reason: err.code }, who);
    if (err instanceof AuthForbiddenError) return new ArtifactHttpError('FORBIDDEN', 'this token may not do that', { reason: err.code }, who);
    return new ArtifactHttpError('UNAUTHENTICATED', unauthenticatedMessage(err.code), { reason: err.code }, who);
  }
  if (err instanceof StoreUnavailableError) return new ArtifactHttpError('STORE_UNAVAILABLE', 'the read model is unavailable');
  if (err instanceof EventLogError) return new ArtifactHttpError('LOG_UNAVAILABLE', 'the event log did not accept the artifact_logged event; retry');
  if (err instanceof URIError) return new ArtifactHttpError('INVALID_ARTIFACT_PATH', 'the path holds a malformed percent-encoding', { reason: 'ENCODING' });
  return new ArtifactHttpError('INTERNAL', 'internal error');
}
