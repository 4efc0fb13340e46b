import { z } from 'zod';
import { eventCatalogue } from './catalogue';
import { fieldShape, recordSchema } from './derive-zod';
import { EVENT_TYPES, type TrackstreamEvent } from './generated/types';
import { findDuplicateKeys } from './json-duplicates';
import { LIMITS } from './limits';
import { formatPath, type PathSegment } from './path';

export type ValidationProblem = {
  /** Index of the event in the batch; null for a problem of the batch as a whole. */
  index: number | null;
  /** Where the problem is, e.g. `events[3].payload.points[2].value`. */
  path: string;
  message: string;
};

/**
 * Why a batch was refused, for an edge that answers each kind differently (the gateway: MALFORMED_JSON,
 * TOO_MANY_EVENTS, VALIDATION_FAILED). `problems` always says the same in words.
 */
export type BatchFailure = { kind: 'not_json' } | { kind: 'too_many_events'; count: number; limit: number } | { kind: 'invalid' };

export type ParseBatchFailure = {
  ok: false;
  problems: ValidationProblem[];
  /**
   * Set by parseEventBatchText. Not enumerable: the result still serialises and compares as the plain
   * `{ok, problems}` it always was.
   */
  readonly failure?: BatchFailure;
};

export type ParseBatchResult = { ok: true; events: TrackstreamEvent[] } | ParseBatchFailure;
export type ParseEventResult = { ok: true; event: TrackstreamEvent } | { ok: false; problems: ValidationProblem[] };

const KNOWN_TYPES = new Set<string>(EVENT_TYPES);
/** Events about an experiment as a whole: they carry no run_id. */
export const EXPERIMENT_LEVEL_TYPES: readonly string[] = [
  'experiment_created', 'experiment_renamed', 'experiment_deleted', 'experiment_restored', 'experiment_tags_set', 'experiment_tags_deleted',
  'view_saved', 'view_deleted',
];
const EXPERIMENT_LEVEL = new Set<string>(EXPERIMENT_LEVEL_TYPES);
/** Events about a run (run_id set) or about its experiment (run_id null): notes. */
export const RUN_OR_EXPERIMENT_TYPES: readonly string[] = ['note_added', 'note_edited', 'note_deleted'];
const EITHER_LEVEL = new Set<string>(RUN_OR_EXPERIMENT_TYPES);
/** Collaboration (schema version 3): what people write about runs and experiments. Their targets must exist. */
export const COLLABORATION_TYPES: readonly string[] = [
  'note_added', 'note_edited', 'note_deleted', 'annotation_added', 'annotation_deleted', 'run_starred', 'run_pinned', 'view_saved', 'view_deleted',
];

interface Validators {
  byType: Map<string, z.ZodType>;
  /** Envelope only, other keys ignored: checks what it can when the type is missing or unknown. */
  envelope: z.ZodType;
}

let validators: Validators | undefined;

function getValidators(): Validators {
  if (validators) return validators;
  const { parts } = eventCatalogue().latest;
  const records = new Map<string, z.ZodType>();
  const envelope = fieldShape(parts.envelope, records);
  const byType = new Map<string, z.ZodType>();
  for (const p of parts.payloads) {
    byType.set(p.type, z.strictObject({ ...envelope, type: z.literal(p.type), payload: recordSchema(p.record, records) }));
  }
  validators = { byType, envelope: z.looseObject(envelope) };
  return validators;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function expectedName(expected: string): string {
  return ({ object: 'an object', array: 'an array', record: 'an object', number: 'a number', string: 'a string', boolean: 'a boolean', null: 'null' } as Record<string, string>)[expected] ?? expected;
}

/** zod's issues, in our words: one problem per bad value, the path pointing at the value itself. */
function problemsFromIssues(issues: readonly z.core.$ZodIssue[], prefix: PathSegment[], index: number | null): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    const input = (issue as { input?: unknown }).input;
    // JSON has no undefined: a value-level issue about `undefined` is about a field that is missing.
    if (input === undefined && issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_key') {
      out.push({ index, path: formatPath(path), message: 'is required' });
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ index, path: formatPath([...path, key]), message: 'is not a known field' });
        break;
      case 'invalid_type':
        out.push({
          index, path: formatPath(path),
          message: `must be ${expectedName(issue.expected)}, got ${describe(input)}`,
        });
        break;
      case 'invalid_key':
        for (const inner of issue.issues) {
          const p = problemsFromIssues([inner], [], index)[0]!;
          out.push({ index, path: formatPath(path), message: p.message.startsWith('key ') ? p.message : `key ${p.message}` });
        }
        break;
      case 'too_big': {
        const got = typeof input === 'string' || Array.isArray(input) ? ` (got ${input.length})` : '';
        const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
        out.push({ index, path: formatPath(path), message: `must be at most ${String(issue.maximum)}${unit}${got}` });
        break;
      }
      case 'too_small': {
        const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
        out.push({ index, path: formatPath(path), message: `must be at least ${String(issue.minimum)}${unit}` });
        break;
      }
      case 'invalid_value':
        out.push({
          index, path: formatPath(path),
          message: issue.message.startsWith('must') ? issue.message : `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`,
        });
        break;
      default:
        out.push({ index, path: formatPath(path), message: issue.message });
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateEvent(value: unknown, prefix: PathSegment[], index: number | null): ParseEventResult {
  if (!isPlainObject(value)) {
    return { ok: false, problems: [{ index, path: formatPath(prefix), message: `must be an object, got ${describe(value)}` }] };
  }
  const v = getValidators();
  const problems: ValidationProblem[] = [];
  const type = value['type'];
  const known = typeof type === 'string' && KNOWN_TYPES.has(type);
  if (!known) {
    problems.push({
      index, path: formatPath([...prefix, 'type']),
      message: type === undefined
        ? `is required (one of ${EVENT_TYPES.join(', ')})`
        : `unknown event type ${JSON.stringify(type)}; expected one of ${EVENT_TYPES.join(', ')}`,
    });
  } else {
    const runId = value['run_id'];
    if (EXPERIMENT_LEVEL.has(type) && runId !== undefined && runId !== null) {
      problems.push({ index, path: formatPath([...prefix, 'run_id']), message: `must be null or absent for ${type} events` });
    } else if (!EXPERIMENT_LEVEL.has(type) && !EITHER_LEVEL.has(type) && (runId === undefined || runId === null)) {
      problems.push({ index, path: formatPath([...prefix, 'run_id']), message: `is required for ${type} events` });
    }
  }
  const result = (known ? v.byType.get(type)! : v.envelope).safeParse(value, { reportInput: true });
  if (!result.success) problems.push(...problemsFromIssues(result.error.issues, prefix, index));
  if (problems.length > 0 || !known) return { ok: false, problems };
  return { ok: true, event: result.data as TrackstreamEvent };
}

/**
 * Validates one event (the JSON form, or an event object built in code). With `index`, problems are reported as
 * for the event at that position of a batch (`events[i].…`); without, paths are relative to the event.
 */
export function parseEvent(value: unknown, index?: number): ParseEventResult {
  return index === undefined ? validateEvent(value, [], null) : validateEvent(value, ['events', index], index);
}

/** Validates an HTTP body `{events: [...]}` completely and reports every problem of every event at once. */
export function parseEventBatch(body: unknown): ParseBatchResult {
  if (!isPlainObject(body)) {
    return { ok: false, problems: [{ index: null, path: '', message: `the body must be a JSON object {"events": [...]}, got ${describe(body)}` }] };
  }
  const problems: ValidationProblem[] = [];
  for (const key of Object.keys(body)) {
    if (key !== 'events') problems.push({ index: null, path: formatPath([key]), message: 'is not a known field' });
  }
  const events = body['events'];
  if (!Array.isArray(events)) {
    problems.push({ index: null, path: 'events', message: events === undefined ? 'is required' : `must be an array, got ${describe(events)}` });
    return { ok: false, problems };
  }
  if (events.length === 0) problems.push({ index: null, path: 'events', message: 'must hold at least one event' });
  if (events.length > LIMITS.eventsPerBatch) {
    problems.push({ index: null, path: 'events', message: `must hold at most ${LIMITS.eventsPerBatch} events (got ${events.length})` });
  }
  const parsed: TrackstreamEvent[] = [];
  const firstIndexOfId = new Map<string, number>();
  for (let i = 0; i < events.length && problems.length < LIMITS.problemsPerResponse; i++) {
    const r = validateEvent(events[i], ['events', i], i);
    if (!r.ok) {
      problems.push(...r.problems);
      continue;
    }
    parsed.push(r.event);
    // Projections apply an event_id once: a second event with the same id in one batch would be silently dropped.
    const first = firstIndexOfId.get(r.event.event_id);
    if (first === undefined) firstIndexOfId.set(r.event.event_id, i);
    else problems.push({ index: i, path: `events[${i}].event_id`, message: `duplicates the event_id of events[${first}]` });
  }
  return problems.length > 0 ? { ok: false, problems: capped(problems) } : { ok: true, events: parsed };
}

/** At most LIMITS.problemsPerResponse problems, the last saying that more were left out. */
function capped(problems: ValidationProblem[]): ValidationProblem[] {
  const max = LIMITS.problemsPerResponse;
  if (problems.length <= max) return problems;
  return [
    ...problems.slice(0, max - 1),
    { index: null, path: '', message: `more problems than the ${max} listed; validation stopped there (fix these and retry)` },
  ];
}

/**
 * What the gateway should call with the raw request body: parses the JSON text, refuses a key that appears twice in
 * one object with different values (JSON.parse would silently keep the last one, e.g. in a params map), then
 * validates like `parseEventBatch`. A failure says its kind in `failure` (not_json, too_many_events, invalid); a batch
 * over the event limit is refused on its count alone, without validating a thousand events first.
 */
export function parseEventBatchText(raw: string): ParseBatchResult {
  let body: unknown;
  if (raw.trim() === '') {
    return rejected([{ index: null, path: '', message: 'the body is not valid JSON: it is empty; expected {"events": [...]}' }], { kind: 'not_json' });
  }
  try {
    body = JSON.parse(raw);
  } catch (err) {
    return rejected([{ index: null, path: '', message: `the body is not valid JSON: ${(err as Error).message}` }], { kind: 'not_json' });
  }
  const unsafe = unsafeText(body, []);
  if (unsafe.length > 0) return rejected(capped(unsafe), { kind: 'invalid' });
  const declared = isPlainObject(body) ? body['events'] : undefined;
  if (Array.isArray(declared) && declared.length > LIMITS.eventsPerBatch) {
    const problem = { index: null, path: 'events', message: `must hold at most ${LIMITS.eventsPerBatch} events (got ${declared.length}); split the batch` };
    return rejected([problem], { kind: 'too_many_events', count: declared.length, limit: LIMITS.eventsPerBatch });
  }
  const duplicates: ValidationProblem[] = findDuplicateKeys(raw, LIMITS.problemsPerResponse)
    .filter((d) => !d.sameValue)
    .map((d) => {
      const index = d.path[0] === 'events' && typeof d.path[1] === 'number' ? d.path[1] : null;
      return { index, path: formatPath(d.path), message: 'appears more than once in the same object with different values' };
    });
  if (duplicates.length >= LIMITS.problemsPerResponse) return rejected(capped([...duplicates, ...duplicates.slice(0, 1)]), { kind: 'invalid' });
  const result = parseEventBatch(body);
  if (duplicates.length === 0) return result.ok ? result : rejected(result.problems, { kind: 'invalid' });
  const problems = [...duplicates, ...(result.ok ? [] : result.problems)];
  problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
  return rejected(capped(problems), { kind: 'invalid' });
}

function rejected(problems: ValidationProblem[], failure: BatchFailure): ParseBatchFailure {
  return Object.defineProperty({ ok: false as const, problems }, 'failure', { value: Object.freeze(failure), enumerable: false });
}

// NUL (Postgres text refuses it) and unpaired UTF-16 surrogates (UTF-8 cannot hold them: they would be silently
// replaced) never reach a store: refused in any string or key of the body.
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when a string holds what no store keeps (NUL, an unpaired surrogate): the rule above, for other edges. */
export function hasUnstorableText(s: string): boolean {
  return UNSAFE.test(s);
}

function unsafeText(value: unknown, path: PathSegment[], out: ValidationProblem[] = []): ValidationProblem[] {
  if (out.length >= LIMITS.problemsPerResponse) return out;
  const index = path[0] === 'events' && typeof path[1] === 'number' ? path[1] : null;
  if (typeof value === 'string') {
    if (UNSAFE.test(value)) out.push({ index, path: formatPath(path), message: 'must not contain a NUL character or an unpaired UTF-16 surrogate' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unsafeText(v, [...path, i], out));
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (UNSAFE.test(k)) out.push({ index, path: formatPath(path), message: 'has a key with a NUL character or an unpaired UTF-16 surrogate' });
      unsafeText(v, [...path, k], out);
    }
  }
  return out;
}
