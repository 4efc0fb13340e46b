import { ProjectionError, type DecodedRecord, type ProjectionBatch } from './ports';

/** Why an apply failed, as the poison search sees it. */
export interface ApplyFailure {
  retriable: boolean;
  code: string;
  message: string;
  /** The record the store blamed, when it could tell. */
  offset?: string;
}

/**
 * A ProjectionError keeps its classification. Anything else the sink did not classify may be anything, so it must
 * not cost a record: it counts as retriable.
 */
export function classifyApplyFailure(err: unknown): ApplyFailure {
  if (err instanceof ProjectionError) {
    return err.offset === undefined
      ? { retriable: err.retriable, code: err.code, message: err.message }
      : { retriable: err.retriable, code: err.code, message: err.message, offset: err.offset };
  }
  return { retriable: true, code: codeOf(err), message: messageOf(err) };
}

export interface PoisonSearchHooks {
  /** Applies one batch to the store (the sink's apply, possibly timed and counted). */
  apply(batch: ProjectionBatch): Promise<void>;
  /**
   * A record the store refuses for good: the runtime sends it to the DLQ, a replay counts it as skipped. `from` is
   * where a retry would start if this step itself fails (the runtime's DLQ may be down).
   */
  reject(record: DecodedRecord, failure: ApplyFailure, from: bigint): Promise<void>;
  /**
   * A failure that must not cost a record (retriable, or a refused checkpoint with no record left to blame).
   * Throw to give up here (the runtime pauses the partition and retries from `from`); return to apply again.
   */
  retry(failure: ApplyFailure, err: unknown, from: bigint): Promise<void>;
  /** Told when the store refused a batch without naming a record, before the records are applied one at a time. */
  isolating?(failure: ApplyFailure, records: number): void;
}

/**
 * The one poison-record rule, shared by the projection runtime and the CLI's replay. Applies `records` and
 * `nextOffset`; when the store refuses for good (`retriable: false`):
 *  - it names a record (`offset`) → that record is rejected and the rest applied again;
 *  - one record is left → it is rejected;
 *  - several are left and none is named → each is applied on its own (checkpoint = its offset + 1) to find it;
 *  - none is left (not even the checkpoint can be written) → nothing to blame: retried, never skipped.
 * Once every record is applied or rejected, the batch's checkpoint is written (an empty batch moves it). `from` is
 * the offset a retry starts from.
 */
export async function applyIsolatingPoison(batch: ProjectionBatch, from: bigint, hooks: PoisonSearchHooks): Promise<void> {
  let remaining = batch.records;
  for (;;) {
    try {
      await hooks.apply({ ...batch, records: remaining });
      return;
    } catch (err) {
      const failure = classifyApplyFailure(err);
      if (failure.retriable || remaining.length === 0) {
        await hooks.retry(failure, err, from);
        continue;
      }
      const named = failure.offset === undefined ? -1 : remaining.findIndex((r) => r.offset === failure.offset);
      if (named >= 0) {
        await hooks.reject(remaining[named]!, failure, from);
        remaining = remaining.filter((_, i) => i !== named);
        continue;
      }
      if (remaining.length === 1) {
        await hooks.reject(remaining[0]!, failure, from);
        remaining = [];
        continue;
      }
      hooks.isolating?.(failure, remaining.length);
      for (const r of remaining) {
        const offset = BigInt(r.offset);
        await applyIsolatingPoison({ ...batch, records: [r], nextOffset: (offset + 1n).toString() }, offset, hooks);
      }
      remaining = [];
    }
  }
}

/** The `code` of an error when it has a non-empty string one, else `fallback`. */
export function codeOf(err: unknown, fallback = 'UNKNOWN'): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 ? code : fallback;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
