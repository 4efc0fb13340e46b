/** Every error the SDK throws carries a stable `code` and says whether trying again can help. */
export class TrackstreamSdkError extends Error {
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
