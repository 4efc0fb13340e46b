import { TrackstreamError } from '@trackstream/errors';

/** The MLflow error codes this server answers with (databricks.proto ErrorCode names). */
export type MlflowErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'BAD_REQUEST'
  | 'ENDPOINT_NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'NOT_IMPLEMENTED'
  | 'INTERNAL_ERROR';

/** MLflow's HTTP status of each code (mlflow/exceptions.py ERROR_CODE_TO_HTTP_STATUS): the one mapping of this service. */
export const HTTP_STATUS: Readonly<Record<MlflowErrorCode, number>> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  REQUEST_LIMIT_EXCEEDED: 429,
  TEMPORARILY_UNAVAILABLE: 503,
  NOT_IMPLEMENTED: 501,
  INTERNAL_ERROR: 500,
};

const RETRIABLE: ReadonlySet<MlflowErrorCode> = new Set(['TEMPORARILY_UNAVAILABLE', 'REQUEST_LIMIT_EXCEEDED']);

/** An error answered in MLflow's shape `{error_code, message}`. */
export class MlflowError extends TrackstreamError {
  readonly retriable: boolean;
  constructor(
    readonly code: MlflowErrorCode,
    message: string,
    /** Seconds, for 429/503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'MlflowError';
    this.retriable = RETRIABLE.has(code);
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }

  body(): { error_code: MlflowErrorCode; message: string } {
    return { error_code: this.code, message: this.message };
  }
}

export const invalid = (message: string) => new MlflowError('INVALID_PARAMETER_VALUE', message);
export const notFound = (message: string) => new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
