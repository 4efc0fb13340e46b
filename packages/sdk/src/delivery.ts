import { backoffDelay, type BackoffOptions } from './backoff';
import type { SendResult, Transport, ValidationProblem } from './transport';
import { LIMITS } from './wire';

export interface DeliveryHooks {
  backoff: BackoffOptions;
  /** Called on every failed attempt before waiting; the pipeline spills to disk on the first. */
  onRetry(result: Extract<SendResult, { kind: 'retry' }>, attempt: number, delayMs: number): void;
  /** Events the gateway refused as invalid; they are set aside (never retried, never silently dropped). */
  onRejected(events: string[], problems: ValidationProblem[]): void;
  onAccepted?(result: Extract<SendResult, { kind: 'accepted' }>): void;
  /** The gateway refused the token (401/403): delivery stops, the batch is neither sent nor dropped. */
  onDenied?(result: Extract<SendResult, { kind: 'denied' }>): void;
  /** Waits, unless interrupted; resolves false when the caller wants the loop to stop. */
  sleep(ms: number): Promise<boolean>;
  stopped(): boolean;
  random?: () => number;
}

/** 'denied': the token was refused (401/403); retrying cannot help, the caller keeps the batch. */
export type DeliveryOutcome = 'delivered' | 'stopped' | 'denied';

export function batchBody(serialized: readonly string[]): Buffer {
  return Buffer.from(`{"events":[${serialized.join(',')}]}`, 'utf8');
}

/**
 * Delivers one batch (serialized events) until the gateway has it: retries with backoff on anything
 * transient, halves it on 413, and takes out exactly the events a 400 names. The same event ids go out
 * every time, so a retry after a lost 202 is harmless.
 */
export async function deliver(transport: Transport, serialized: string[], hooks: DeliveryHooks): Promise<DeliveryOutcome> {
  let body = batchBody(serialized);
  if (body.length > LIMITS.batchBytes && serialized.length > 1) return deliverHalves(transport, serialized, hooks);
  let attempt = 0;
  for (;;) {
    if (hooks.stopped()) return 'stopped';
    const result = await transport.send(body);
    switch (result.kind) {
      case 'accepted':
        hooks.onAccepted?.(result);
        return 'delivered';
      case 'denied':
        // Not retried: the same token gets the same answer. Nothing of this batch is lost; the caller keeps it.
        hooks.onDenied?.(result);
        return 'denied';
      case 'too_large': {
        if (serialized.length <= 1) {
          hooks.onRejected(serialized, [{ index: 0, path: 'events[0]', message: 'event is larger than the gateway accepts (413)' }]);
          return 'delivered';
        }
        return deliverHalves(transport, serialized, hooks);
      }
      case 'rejected': {
        const bad = new Set(result.problems.map((p) => p.index).filter((i): i is number => i !== null && i >= 0 && i < serialized.length));
        if (bad.size === 0) {
          // A batch-level complaint with no event named: narrow it down by halving until single events remain.
          if (serialized.length <= 1) {
            hooks.onRejected(serialized, result.problems);
            return 'delivered';
          }
          return deliverHalves(transport, serialized, hooks);
        }
        hooks.onRejected(
          serialized.filter((_, i) => bad.has(i)),
          result.problems.filter((p) => p.index !== null && bad.has(p.index)),
        );
        serialized = serialized.filter((_, i) => !bad.has(i));
        if (serialized.length === 0) return 'delivered';
        body = batchBody(serialized);
        continue;
      }
      case 'retry': {
        // Refused for good as a whole (e.g. Kafka's record size limit): smaller halves may well pass. A single
        // event keeps being retried (and stays on disk) rather than being given up.
        if (result.permanent && attempt >= 1 && serialized.length > 1) return deliverHalves(transport, serialized, hooks);
        const delay = backoffDelay(attempt, hooks.backoff, result.retryAfterMs, hooks.random);
        hooks.onRetry(result, attempt, delay);
        attempt++;
        if (!(await hooks.sleep(delay))) return 'stopped';
        continue;
      }
    }
  }
}

async function deliverHalves(transport: Transport, serialized: string[], hooks: DeliveryHooks): Promise<DeliveryOutcome> {
  const mid = Math.ceil(serialized.length / 2);
  const first = await deliver(transport, serialized.slice(0, mid), hooks);
  if (first !== 'delivered') return first;
  return deliver(transport, serialized.slice(mid), hooks);
}
