import type { ResolvedNode } from './avro-schema';
import { eventCatalogue } from './catalogue';
import type { TrackstreamEvent } from './generated/types';
import type { StoredEvent } from './stored-event';

type ToJson = (value: unknown) => unknown;
const identity: ToJson = (v) => v;

function nonFiniteToJson(v: unknown): unknown {
  if (typeof v !== 'number' || Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * A converter to the JSON form, from the schema: only doubles differ (JSON has no NaN/±Infinity), so subtrees
 * without a double are passed through untouched.
 */
function converterFor(node: ResolvedNode, memo: Map<string, ToJson | undefined>): ToJson | undefined {
  switch (node.kind) {
    case 'primitive':
      return node.type === 'double' || node.type === 'float' ? nonFiniteToJson : undefined;
    case 'enum':
      return undefined;
    case 'union': {
      const convs = node.branches.map((b) => converterFor(b, memo)).filter((c): c is ToJson => c !== undefined);
      return convs.length === 0 ? undefined : (v) => (v === null ? v : convs.reduce<unknown>((acc, c) => c(acc), v));
    }
    case 'array': {
      const item = converterFor(node.items, memo);
      return item && ((v) => (v as unknown[]).map(item));
    }
    case 'map': {
      const val = converterFor(node.values, memo);
      return val && ((v) => Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, val(x)])));
    }
    case 'record': {
      if (memo.has(node.fullName)) return memo.get(node.fullName);
      memo.set(node.fullName, undefined);
      const fields = node.fields.map((f) => ({ name: f.name, conv: converterFor(f.node, memo) }));
      const conv: ToJson | undefined = fields.some((f) => f.conv)
        ? (v) => {
            const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
            for (const f of fields) if (f.conv && out[f.name] !== undefined) out[f.name] = f.conv(out[f.name]);
            return out;
          }
        : undefined;
      memo.set(node.fullName, conv);
      return conv;
    }
  }
}

let payloadConverters: Map<string, ToJson> | undefined;

function converters(): Map<string, ToJson> {
  if (!payloadConverters) {
    const memo = new Map<string, ToJson | undefined>();
    payloadConverters = new Map(eventCatalogue().latest.parts.payloads.map((p) => [p.type, converterFor(p.record, memo) ?? identity]));
  }
  return payloadConverters;
}

/** The JSON form of an event: what the SDK sends and exports print (non-finite metric values as strings). */
export function eventToJson(event: TrackstreamEvent | StoredEvent): unknown {
  const conv = converters().get(event.type) ?? identity;
  return { ...event, payload: conv(event.payload) };
}
