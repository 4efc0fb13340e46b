import type { LogPositions, StoredEvent, TrackstreamEvent } from '@trackstream/events';
import type { AuthContext } from '../auth';
import type { GuardedEventLog } from '../guarded-log';
import type { GatewayMetrics } from '../metrics';

/** What the gateway adds to each event: when it was received and who sent it. */
export function stamp(events: readonly TrackstreamEvent[], auth: AuthContext, receivedAt: number): StoredEvent[] {
  return events.map((e) => ({ ...e, received_at: receivedAt, principal: auth.principal }) as StoredEvent);
}

/**
 * Step append: the stamped batch into the guarded log (aborted by the request's signal at the deadline), with the
 * producer latency, batch size and per-type counts recorded. Resolves once Kafka acknowledged every record.
 */
export async function appendBatch(
  deps: { log: Pick<GuardedEventLog, 'append'>; metrics: Pick<GatewayMetrics, 'producerLatency' | 'batchEvents' | 'batchBytes' | 'eventsAccepted'> },
  stored: readonly StoredEvent[],
  bodyBytes: number,
  signal: AbortSignal,
): Promise<LogPositions> {
  const started = process.hrtime.bigint();
  let positions: LogPositions;
  try {
    positions = await deps.log.append(stored, signal);
  } catch (err) {
    deps.metrics.producerLatency.observe({ outcome: 'error' }, secondsSince(started));
    throw err;
  }
  deps.metrics.producerLatency.observe({ outcome: 'ok' }, secondsSince(started));
  deps.metrics.batchEvents.observe(stored.length);
  deps.metrics.batchBytes.observe(bodyBytes);
  const byType = new Map<string, number>();
  for (const e of stored) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
  for (const [type, n] of byType) deps.metrics.eventsAccepted.inc({ type }, n);
  return positions;
}

export function secondsSince(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}
