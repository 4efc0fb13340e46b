import type { Logger } from './logger';

export interface ShutdownOptions {
  logger: Logger;
  /** Drains and closes the service; its outcome decides the exit status. */
  stop: () => Promise<void>;
  signals?: NodeJS.Signals[];
  // Injectable so the behaviour can be tested without ending the test process.
  onSignal?: (signal: NodeJS.Signals, handler: () => void) => void;
  exit?: (code: number) => void;
}

/**
 * Stops a service once on the first SIGTERM/SIGINT (later signals are ignored while it drains) and exits 0 when
 * the stop succeeded, 1 when it failed: one shutdown path for every long-running service.
 */
export function stopOnSignals(opts: ShutdownOptions): void {
  const onSignal = opts.onSignal ?? ((signal, handler) => process.on(signal, handler));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  for (const signal of opts.signals ?? ['SIGTERM', 'SIGINT']) {
    onSignal(signal, () => {
      if (stopping) return;
      stopping = true;
      opts.logger.info('shutting down', { signal });
      opts.stop().then(
        () => {
          opts.logger.info('stopped');
          exit(0);
        },
        (err: unknown) => {
          opts.logger.error('shutdown failed', { error: err });
          exit(1);
        },
      );
    });
  }
}
