import type { TrackstreamEvent } from './generated/types';

/** Kafka message key: run_id, or experiment_id for experiment-level events (they have no run). */
export function eventKey(event: TrackstreamEvent): string {
  return event.run_id ?? event.experiment_id;
}
