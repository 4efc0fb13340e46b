/**
 * The one error base. Every error a Trackstream package throws on purpose extends it and carries a stable `code`
 * (what went wrong, for machines and logs) and `retriable` (whether the same call may succeed later). Callers branch on
 * `retriable` or on `instanceof` their own package's classes, never on another package's code strings; the HTTP edges
 * map codes to statuses in one place each.
 */
export abstract class TrackstreamError extends Error {
  abstract readonly code: string;
  abstract readonly retriable: boolean;
}

/** True for a TrackstreamError that says a retry may succeed; false for everything else (unknown errors are not retried blindly). */
export function isRetriable(err: unknown): boolean {
  return err instanceof TrackstreamError && err.retriable;
}
