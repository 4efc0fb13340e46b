import { TrackstreamError } from '@trackstream/errors';
/** Every error the SDK throws carries a stable `code` and says whether trying again can help. */
export class TrackstreamSdkError extends TrackstreamError {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'TrackstreamSdkError';
  }
}

/** A caller passed something the gateway would reject; thrown at the call so the bug points at its line. */
export class InvalidArgumentError extends TrackstreamSdkError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super('SDK_INVALID_ARGUMENT', `${argument}: ${message}`, false);
    this.name = 'InvalidArgumentError';
  }
}

/** The run was finished already; further writes would be events after run_completed. */
export class RunFinishedError extends TrackstreamSdkError {
  constructor(runId: string) {
    super('SDK_RUN_FINISHED', `run ${runId} is finished; no more writes are accepted`, false);
    this.name = 'RunFinishedError';
  }
}

export class ClientClosedError extends TrackstreamSdkError {
  constructor() {
    super('SDK_CLIENT_CLOSED', 'the Trackstream client is closed', false);
    this.name = 'ClientClosedError';
  }
}

/**
 * The gateway refused the API token (401: missing, unknown, revoked, expired or malformed) or what it may do
 * (403: wrong role or project). Retrying the same request cannot help, so the SDK stops sending, keeps every
 * unsent event in the spool (nothing is lost) and reports this in run.finish() / client.close(). Fix the token
 * (TRACKSTREAM_TOKEN) and run `trackstream sync`. The message is the gateway's, which never contains the token.
 */
export class AccessDeniedError extends TrackstreamSdkError {
  constructor(
    /** 401 or 403. */
    readonly status: number,
    /** The gateway's error code (UNAUTHENTICATED, FORBIDDEN). */
    readonly gatewayCode: string,
    /** Which check failed (TOKEN_MISSING, TOKEN_REVOKED, FORBIDDEN, …) when the gateway said. */
    readonly reason: string | null,
    detail: string,
  ) {
    super(
      status === 401 ? 'SDK_UNAUTHENTICATED' : 'SDK_FORBIDDEN',
      `the gateway refused the request (${status} ${gatewayCode}${reason && reason !== gatewayCode ? `, ${reason}` : ''}): ${detail}; ` +
        'unsent events stay in the spool: fix the token (option `token`, or TRACKSTREAM_TOKEN for `trackstream sync`) and run `trackstream sync`',
      false,
    );
    this.name = 'AccessDeniedError';
  }
}
