import { TrackstreamError } from '@trackstream/errors';
/** A configuration value that is missing or malformed; the message names the variable. */
export class ConfigError extends TrackstreamError {
  readonly code = 'CONFIG_INVALID';
  readonly retriable = false;

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigProblem {
  variable: string;
  message: string;
}
