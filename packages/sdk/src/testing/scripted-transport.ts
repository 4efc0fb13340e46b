import { gunzipSync } from 'node:zlib';
import type { SendResult, Transport } from '../transport';

/**
 * Test double for unit tests of the pipeline's pure logic: answers from a script (then accepts everything)
 * and records every body it was sent. Integration tests use the real gateway instead.
 */
export class ScriptedTransport implements Transport {
  readonly bodies: { events: Record<string, unknown>[] }[] = [];
  readonly results: SendResult['kind'][] = [];
  readonly script: ((events: Record<string, unknown>[]) => SendResult)[];
  private gate: Promise<void> | null = null;
  private release: (() => void) | null = null;

  constructor(script: ((events: Record<string, unknown>[]) => SendResult)[] = []) {
    this.script = [...script];
  }

  /** Holds every send until resume() (a gateway that is slow to answer). */
  pause(): void {
    this.gate ??= new Promise((r) => (this.release = r));
  }

  resume(): void {
    this.release?.();
    this.gate = null;
    this.release = null;
  }

  async send(body: Buffer): Promise<SendResult> {
    if (this.gate) await this.gate;
    const text = body[0] === 0x1f ? gunzipSync(body).toString('utf8') : body.toString('utf8');
    const parsed = JSON.parse(text) as { events: Record<string, unknown>[] };
    this.bodies.push(parsed);
    const next = this.script.shift();
    const result: SendResult = next ? next(parsed.events) : { kind: 'accepted', accepted: parsed.events.length, token: null };
    this.results.push(result.kind);
    return result;
  }

  close(): void {}

  /** Events of accepted requests, in the order accepted. */
  accepted(): Record<string, unknown>[] {
    return this.bodies.flatMap((b, i) => (this.results[i] === 'accepted' ? b.events : []));
  }
}

export const retry = (retryAfterMs: number | null = null): SendResult => ({ kind: 'retry', reason: 'test: unavailable', status: 503, retryAfterMs });
