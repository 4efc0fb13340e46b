import {
  eventToJson, exampleEvents, EXPERIMENT_LEVEL_TYPES, RUN_OR_EXPERIMENT_TYPES, LIMITS, parseEvent, parseEventBatch, parseEventBatchText,
  type EventType, type ValidationProblem,
} from './index';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A valid JSON batch (one event of every type, in EVENT_TYPES order), as a producer would send it. */
const validBatch = (): { events: Json[] } => JSON.parse(JSON.stringify({ events: exampleEvents().map(eventToJson) }));
const indexOf = (type: EventType) => exampleEvents().findIndex((e) => e.type === type);

/** Given the valid batch changed by `change`, when parsed, then these are the problems (must be invalid). */
function problemsAfter(change: (events: Json[]) => void): ValidationProblem[] {
  const batch = validBatch();
  change(batch.events);
  const result = parseEventBatch(batch);
  if (result.ok) throw new Error('expected the batch to be refused');
  return result.problems;
}

function eventOf(type: EventType, change: (e: Json) => void = () => {}): Json {
  const e = validBatch().events[indexOf(type)]!;
  change(e);
  return e;
}

const problem = (type: EventType, path: string, message: string | RegExp) => ({
  index: indexOf(type), path: `events[${indexOf(type)}].${path}`, message: typeof message === 'string' ? message : expect.stringMatching(message),
});

describe('parseEventBatch: valid input', () => {
  test('given the JSON form of one event of every type, when parsed, then every event comes back equal', () => {
    expect(parseEventBatch(validBatch())).toEqual({ ok: true, events: exampleEvents() });
  });

  test('given omitted optional fields, when parsed, then nullable fields are null and maps/arrays empty', () => {
    const minimal = {
      event_id: '00000000-0000-4000-8000-00000000000a', project: 'p', experiment_id: 'e', run_id: 'r', occurred_at: 1,
    };
    const parsed = (type: string, payload: Json) => {
      const r = parseEvent({ ...minimal, ...(type === 'experiment_created' ? { run_id: undefined } : {}), type, payload });
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.event.payload;
    };
    expect(parsed('run_started', { start_time: 2 })).toEqual({
      run_name: null, user: null, parent_run_id: null, start_time: 2, tags: {}, context: {},
      source: { git_commit: null, git_branch: null, git_dirty: null, entry_point: null, host: null },
    });
    expect(parsed('experiment_created', { name: 'n' })).toEqual({ name: 'n', description: null, tags: {} });
    expect(parsed('params_logged', {})).toEqual({ params: {} });
    expect(parsed('metrics_logged', {})).toEqual({ points: [] });
    expect(parsed('tags_deleted', {})).toEqual({ keys: [] });
    expect(parsed('artifact_logged', { path: 'a', uri: 'b' })).toEqual({ path: 'a', uri: 'b', size_bytes: null, sha256: null, media_type: null });
    expect(parsed('lineage_recorded', { inputs: [{ kind: 'run', name: 'r1' }] })).toEqual({ inputs: [{ kind: 'run', name: 'r1', version: null, digest: null }], outputs: [] });
  });

  test('given values exactly at every limit, when parsed, then the batch is accepted', () => {
    const key = 'k'.repeat(LIMITS.keyLength);
    const batch = validBatch();
    batch.events[indexOf('params_logged')]!.payload.params = { [key]: 'v'.repeat(LIMITS.paramValueLength) };
    batch.events[indexOf('tags_set')]!.payload.tags = { [key]: 't'.repeat(LIMITS.tagValueLength) };
    batch.events[indexOf('metrics_logged')]!.payload.points = Array.from({ length: LIMITS.pointsPerEvent }, (_, i) => ({ key, value: i, step: i, timestamp: i }));
    batch.events[indexOf('run_started')]!.run_id = 'r'.repeat(128);
    expect(parseEventBatch(batch).ok).toBe(true);
    const many = { events: Array.from({ length: LIMITS.eventsPerBatch }, (_, i) => ({ ...validBatch().events[8], event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` })) };
    expect(parseEventBatch(many).ok).toBe(true);
  });

  test('given lengths counted in characters, when a key of 250 astral characters (500 UTF-16 units) is sent, then it is accepted', () => {
    const batch = validBatch();
    batch.events[indexOf('tags_set')]!.payload.tags = { ['🚀'.repeat(250)]: '✓' };
    expect(parseEventBatch(batch).ok).toBe(true);
    batch.events[indexOf('tags_set')]!.payload.tags = { ['🚀'.repeat(251)]: '✓' };
    expect(parseEventBatch(batch)).toMatchObject({ ok: false, problems: [{ message: 'key must be at most 250 characters (got 251)' }] });
  });

  test('given non-finite metric values as JSON strings or JS numbers, when parsed, then they become numbers', () => {
    const e = eventOf('metrics_logged', (x) => {
      x.payload.points = [
        { key: 'a', value: 'NaN', step: 0, timestamp: 0 }, { key: 'a', value: 'Infinity', step: 1, timestamp: 0 },
        { key: 'a', value: '-Infinity', step: 2, timestamp: 0 }, { key: 'a', value: NaN, step: 3, timestamp: 0 },
      ];
    });
    const r = parseEvent(e);
    expect(r.ok && r.event.type === 'metrics_logged' && r.event.payload.points.map((p) => p.value)).toEqual([NaN, Infinity, -Infinity, NaN]);
  });

  test('given a key repeated with the same value, when the raw text is parsed, then it is accepted', () => {
    const raw = JSON.stringify(validBatch()).replace('"lr":"0.01"', '"lr":"0.01","lr":"0.01"');
    expect(parseEventBatchText(raw).ok).toBe(true);
  });
});

describe('parseEventBatch: the batch', () => {
  test.each([
    ['null', null, ''],
    ['an array', [], ''],
    ['a string', 'events', ''],
    ['no events', {}, 'events'],
    ['events not an array', { events: {} }, 'events'],
    ['an empty batch', { events: [] }, 'events'],
  ])('given %s, when parsed, then a batch-level problem is reported', (_what, body, path) => {
    expect(parseEventBatch(body)).toEqual({ ok: false, problems: [{ index: null, path, message: expect.any(String) }] });
  });

  test('given an unknown top-level field, when parsed, then it is reported', () => {
    expect(parseEventBatch({ ...validBatch(), dry_run: true })).toEqual({ ok: false, problems: [{ index: null, path: 'dry_run', message: 'is not a known field' }] });
  });

  test('given more than 1000 events, when parsed, then the batch is refused', () => {
    const events = Array.from({ length: LIMITS.eventsPerBatch + 1 }, (_, i) => ({ ...validBatch().events[8], event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
    expect(parseEventBatch({ events })).toEqual({ ok: false, problems: [{ index: null, path: 'events', message: 'must hold at most 1000 events (got 1001)' }] });
  });

  test('given two events with the same event_id, when parsed, then the second is reported', () => {
    expect(problemsAfter((es) => { es[5]!.event_id = es[2]!.event_id; })).toEqual([
      { index: 5, path: 'events[5].event_id', message: 'duplicates the event_id of events[2]' },
    ]);
  });

  test('given problems in several events, when parsed, then all are reported at once, each with its index', () => {
    const problems = problemsAfter((es) => {
      es[0]!.project = '';
      es[3]!.payload.points[0].step = 1.5;
      es[3]!.payload.points[2].value = 'oops';
      es[8]!.payload.status = 'DONE';
    });
    expect(problems.map((p) => [p.index, p.path])).toEqual([
      [0, 'events[0].project'],
      [3, 'events[3].payload.points[0].step'],
      [3, 'events[3].payload.points[2].value'],
      [8, 'events[8].payload.status'],
    ]);
  });
});

describe('parseEventBatch: every class of bad event', () => {
  test.each([null, 'x', 42, []])('given the event %j, when parsed, then it must be an object', (value) => {
    expect(problemsAfter((es) => { es[1] = value as never; })).toEqual([{ index: 1, path: 'events[1]', message: expect.stringMatching(/^must be an object, got/) }]);
  });

  test.each([
    ['a missing type', (e: Json) => { delete e.type; }, 'type', /^is required \(one of experiment_created, /],
    ['an unknown type', (e: Json) => { e.type = 'run_archived'; }, 'type', /^unknown event type "run_archived"; expected one of/],
    ['a type of the wrong case', (e: Json) => { e.type = 'RUN_STARTED'; }, 'type', /^unknown event type/],
  ])('given %s, when parsed, then it is reported', (_what, change, path, message) => {
    expect(problemsAfter((es) => change(es[1]!))).toEqual([{ index: 1, path: `events[1].${path}`, message: expect.stringMatching(message) }]);
  });

  test('given an unknown type, when parsed, then the envelope is still checked', () => {
    expect(problemsAfter((es) => { es[1]!.type = 'nope'; es[1]!.project = 'bad project'; }).map((p) => p.path)).toEqual(['events[1].type', 'events[1].project']);
  });

  test.each([
    ['event_id', 'run_started', 'is required'],
    ['project', 'run_started', 'is required'],
    ['experiment_id', 'metrics_logged', 'is required'],
    ['occurred_at', 'tags_set', 'is required'],
    ['payload', 'run_completed', 'is required'],
    ['payload.name', 'experiment_created', 'is required'],
    ['payload.start_time', 'run_started', 'is required'],
    ['payload.points[0].key', 'metrics_logged', 'is required'],
    ['payload.points[0].value', 'metrics_logged', 'is required'],
    ['payload.points[0].step', 'metrics_logged', 'is required'],
    ['payload.points[0].timestamp', 'metrics_logged', 'is required'],
    ['payload.path', 'artifact_logged', 'is required'],
    ['payload.uri', 'artifact_logged', 'is required'],
    ['payload.inputs[0].kind', 'lineage_recorded', 'is required'],
    ['payload.inputs[0].name', 'lineage_recorded', 'is required'],
    ['payload.status', 'run_completed', 'is required'],
    ['payload.end_time', 'run_completed', 'is required'],
  ] as const)('given a missing required field %s in %s, when parsed, then it is reported', (path, type, message) => {
    const problems = problemsAfter((es) => {
      const segments = path.split(/\.|\[(\d+)\]/).filter(Boolean);
      let target: Json = es[indexOf(type)]!;
      for (const s of segments.slice(0, -1)) target = target[s];
      delete target[segments[segments.length - 1]!];
    });
    expect(problems).toEqual([problem(type, path, message)]);
  });

  test.each([
    ['run_started', 'occurred_at', '1763900000000', 'must be a number, got a string'],
    ['run_started', 'project', 42, 'must be a string, got a number'],
    ['run_started', 'payload', [], 'must be an object, got an array'],
    ['run_started', 'payload.tags', ['a'], 'must be an object, got an array'],
    ['run_started', 'payload.tags', null, 'must be an object, got null'],
    ['run_started', 'payload.source.git_dirty', 'yes', 'must be a boolean, got a string'],
    ['run_started', 'payload.run_name', 7, 'must be a string, got a number'],
    ['params_logged', 'payload.params.lr', 0.01, 'must be a string, got a number'],
    ['tags_set', 'payload.tags.team', null, 'must be a string, got null'],
    ['tags_deleted', 'payload.keys', 'team', 'must be an array, got a string'],
    ['metrics_logged', 'payload.points', {}, 'must be an array, got an object'],
    ['artifact_logged', 'payload.size_bytes', '12', 'must be a number, got a string'],
  ] as const)('given a wrong type in %s.%s, when parsed, then it is reported', (type, path, value, message) => {
    const problems = problemsAfter((es) => {
      const segments = path.split('.');
      let target: Json = es[indexOf(type)]!;
      for (const s of segments.slice(0, -1)) target = target[s];
      target[segments[segments.length - 1]!] = value;
    });
    expect(problems).toEqual([problem(type, path, message)]);
  });

  test.each([
    ['not a UUID', 'event_id', 'run-1'],
    ['a UUID without dashes', 'event_id', '000000000000400080000000000000aa'],
    ['an empty project', 'project', ''],
    ['an id with a space', 'project', 'my project'],
    ['an id starting with a dash', 'experiment_id', '-exp'],
    ['an id with a slash', 'run_id', 'runs/1'],
    ['an id of 129 characters', 'run_id', 'r'.repeat(129)],
  ])('given %s in %s, when parsed, then the format is reported', (_what, field, value) => {
    expect(problemsAfter((es) => { es[2]![field] = value; })).toEqual([
      { index: 2, path: `events[2].${field}`, message: expect.stringMatching(field === 'event_id' ? /must be a UUID/ : /must match/) },
    ]);
  });

  test('given a bad parent_run_id, when parsed, then the id format is reported', () => {
    expect(problemsAfter((es) => { es[1]!.payload.parent_run_id = 'no spaces allowed'; })).toEqual([problem('run_started', 'payload.parent_run_id', /must match/)]);
  });

  test.each(EVENT_TYPES_EXCEPT_EXPERIMENT())('given a %s event without run_id, when parsed, then run_id is required', (type) => {
    expect(problemsAfter((es) => { delete es[indexOf(type)]!.run_id; })).toEqual([problem(type, 'run_id', `is required for ${type} events`)]);
    expect(problemsAfter((es) => { es[indexOf(type)]!.run_id = null; })).toEqual([problem(type, 'run_id', `is required for ${type} events`)]);
  });

  test('given a note without run_id, when parsed, then it is a note on the experiment; a saved view with a run_id is refused', () => {
    const batch = validBatch();
    batch.events[indexOf('note_added')]!.run_id = null;
    expect(parseEventBatch(batch).ok).toBe(true);
    expect(problemsAfter((es) => { es[indexOf('view_saved')]!.run_id = 'run-1'; })).toEqual([problem('view_saved', 'run_id', 'must be null or absent for view_saved events')]);
  });

  test('given an experiment_created event with a run_id, when parsed, then it is refused', () => {
    expect(problemsAfter((es) => { es[0]!.run_id = 'run-1'; })).toEqual([problem('experiment_created', 'run_id', 'must be null or absent for experiment_created events')]);
  });

  test.each([
    ['a param key', 'params_logged', (e: Json) => { e.payload.params = { ['k'.repeat(251)]: 'v' }; }, /^payload\.params\.k{251}$/, 'key must be at most 250 characters (got 251)'],
    ['a param value', 'params_logged', (e: Json) => { e.payload.params = { lr: 'v'.repeat(6001) }; }, 'payload.params.lr', 'must be at most 6000 characters (got 6001)'],
    ['a tag key', 'tags_set', (e: Json) => { e.payload.tags = { ['k'.repeat(251)]: 'v' }; }, /^payload\.tags\.k{251}$/, 'key must be at most 250 characters (got 251)'],
    ['a tag value', 'tags_set', (e: Json) => { e.payload.tags = { team: 'v'.repeat(5001) }; }, 'payload.tags.team', 'must be at most 5000 characters (got 5001)'],
    ['an experiment tag value', 'experiment_created', (e: Json) => { e.payload.tags = { team: 'v'.repeat(5001) }; }, 'payload.tags.team', 'must be at most 5000 characters (got 5001)'],
    ['a run tag key', 'run_started', (e: Json) => { e.payload.tags = { ['k'.repeat(251)]: 'v' }; }, /^payload\.tags\.k{251}$/, 'key must be at most 250 characters (got 251)'],
    ['a context value', 'run_started', (e: Json) => { e.payload.context = { deps: 'd'.repeat(6001) }; }, 'payload.context.deps', 'must be at most 6000 characters (got 6001)'],
    ['a note text', 'note_added', (e: Json) => { e.payload.text = 'n'.repeat(5001); }, 'payload.text', 'must be at most 5000 characters (got 5001)'],
    ['an annotation text', 'annotation_added', (e: Json) => { e.payload.text = 'n'.repeat(5001); }, 'payload.text', 'must be at most 5000 characters (got 5001)'],
    ['a metric key', 'metrics_logged', (e: Json) => { e.payload.points[0].key = 'k'.repeat(251); }, 'payload.points[0].key', 'must be at most 250 characters (got 251)'],
    ['a deleted tag key', 'tags_deleted', (e: Json) => { e.payload.keys = ['k'.repeat(251)]; }, 'payload.keys[0]', 'must be at most 250 characters (got 251)'],
    ['an experiment name', 'experiment_created', (e: Json) => { e.payload.name = 'n'.repeat(251); }, 'payload.name', 'must be at most 250 characters (got 251)'],
    ['the number of points', 'metrics_logged', (e: Json) => { e.payload.points = Array.from({ length: 1001 }, (_, i) => ({ key: 'k', value: 1, step: i, timestamp: 1 })); }, 'payload.points', 'must be at most 1000 items (got 1001)'],
    ['the number of deleted keys', 'tags_deleted', (e: Json) => { e.payload.keys = Array.from({ length: 1001 }, (_, i) => `k${i}`); }, 'payload.keys', 'must be at most 1000 items (got 1001)'],
  ] as const)('given %s over its limit, when parsed, then it is reported', (_what, type, change, path, message) => {
    const problems = problemsAfter((es) => change(es[indexOf(type)]!));
    expect(problems).toEqual([{ index: indexOf(type), path: typeof path === 'string' ? `events[${indexOf(type)}].${path}` : expect.stringMatching(new RegExp(`^events\\[${indexOf(type)}\\]\\.${path.source.slice(1)}`)), message }]);
  });

  test.each([
    ['an empty param key', (e: Json) => { e.payload.params = { '': 'v' }; }, 'events[2].payload.params[""]', 'key must not be empty'],
    ['an empty metric key', (e: Json) => { e.payload.points[0].key = ''; }, 'events[3].payload.points[0].key', 'must not be empty'],
    ['a "__proto__" tag key', (e: Json) => { e.payload.tags = JSON.parse('{"__proto__":"x"}'); }, 'events[4].payload.tags.__proto__', 'key "__proto__" is reserved'],
  ])('given %s, when parsed, then it is reported', (_what, change, path, message) => {
    const type = path.startsWith('events[2]') ? 'params_logged' : path.startsWith('events[3]') ? 'metrics_logged' : 'tags_set';
    expect(problemsAfter((es) => change(es[indexOf(type)]!))).toEqual([{ index: indexOf(type), path, message }]);
  });

  test.each([
    ['a fractional occurred_at', 'occurred_at', 1763900000000.5],
    ['a negative occurred_at', 'occurred_at', -1],
    ['an occurred_at beyond 2^53', 'occurred_at', 2 ** 60],
    ['an occurred_at of NaN (in-process)', 'occurred_at', NaN],
    ['an occurred_at of Infinity (in-process)', 'occurred_at', Infinity],
    ['the string "NaN" as occurred_at', 'occurred_at', 'NaN'],
    ['a fractional step', 'payload.points[0].step', 0.5],
    ['an unsafe step', 'payload.points[0].step', Number.MAX_SAFE_INTEGER + 2],
    ['a step of 2^53-1 (avsc encodes at most 2^53-2)', 'payload.points[0].step', Number.MAX_SAFE_INTEGER],
    ['the string "Infinity" as step', 'payload.points[0].step', 'Infinity'],
    ['a negative timestamp', 'payload.points[0].timestamp', -5],
    ['a fractional timestamp', 'payload.points[0].timestamp', 1.25],
  ])('given %s, when parsed, then it is refused as not a valid integer', (_what, path, value) => {
    const problems = problemsAfter((es) => {
      const e = es[indexOf('metrics_logged')]!;
      if (path === 'occurred_at') e.occurred_at = value;
      else e.payload.points[0][path.split('.').pop()!] = value;
    });
    expect(problems).toEqual([problem('metrics_logged', path, /^must be (a non-negative integer|an integer between|a number, got)/)]);
  });

  test.each([['nan'], ['inf'], ['1.5'], [''], [null], [true], [{}]])('given the metric value %j, when parsed, then only numbers and the three strings are allowed', (value) => {
    expect(problemsAfter((es) => { es[indexOf('metrics_logged')]!.payload.points[1].value = value; })).toEqual([
      problem('metrics_logged', 'payload.points[1].value', 'must be a number, or one of the strings "NaN", "Infinity", "-Infinity"'),
    ]);
  });

  test.each([
    ['the envelope', (e: Json) => { e.priority = 1; }, 'priority'],
    ['the gateway field received_at', (e: Json) => { e.received_at = 1; }, 'received_at'],
    ['the gateway field principal', (e: Json) => { e.principal = 'root'; }, 'principal'],
    ['the payload', (e: Json) => { e.payload.extra = 1; }, 'payload.extra'],
    ['the run source', (e: Json) => { e.payload.source.commit = 'abc'; }, 'payload.source.commit'],
  ])('given an unknown field in %s, when parsed, then it is reported', (_what, change, path) => {
    expect(problemsAfter((es) => change(es[indexOf('run_started')]!))).toEqual([problem('run_started', path, 'is not a known field')]);
  });

  test('given unknown fields in a metric point and a lineage ref, when parsed, then each is reported', () => {
    expect(problemsAfter((es) => { es[indexOf('metrics_logged')]!.payload.points[0].unit = 's'; es[indexOf('lineage_recorded')]!.payload.outputs[0].uri = 'x'; })).toEqual([
      problem('metrics_logged', 'payload.points[0].unit', 'is not a known field'),
      problem('lineage_recorded', 'payload.outputs[0].uri', 'is not a known field'),
    ]);
  });

  test.each([
    ['status', 'run_completed', 'payload.status', 'finished', 'must be one of FINISHED, FAILED, KILLED'],
    ['lineage kind', 'lineage_recorded', 'payload.inputs[0].kind', 'table', 'must be one of dataset, model, code, run'],
  ] as const)('given an unknown %s, when parsed, then the allowed values are listed', (_what, type, path, value, message) => {
    expect(problemsAfter((es) => {
      const e = es[indexOf(type)]!;
      if (type === 'run_completed') e.payload.status = value;
      else e.payload.inputs[0].kind = value;
    })).toEqual([problem(type, path, message)]);
  });

  test.each([
    ['a sha256 that is not 64 hex digits', (e: Json) => { e.payload.sha256 = 'abc'; }, 'payload.sha256', /SHA-256/],
    ['an uppercase sha256', (e: Json) => { e.payload.sha256 = 'E'.repeat(64); }, 'payload.sha256', /SHA-256/],
    ['a negative size', (e: Json) => { e.payload.size_bytes = -1; }, 'payload.size_bytes', /non-negative integer/],
    ['a NUL character', (e: Json) => { e.payload.path = 'a\u0000b'; }, 'payload.path', 'must not contain NUL characters or unpaired surrogates'],
    ['an unpaired surrogate', (e: Json) => { e.payload.uri = 'x\ud800y'; }, 'payload.uri', 'must not contain NUL characters or unpaired surrogates'],
  ])('given %s, when parsed, then it is reported', (_what, change, path, message) => {
    expect(problemsAfter((es) => change(es[indexOf('artifact_logged')]!))).toEqual([problem('artifact_logged', path, message)]);
  });
});

describe('parseEventBatch: bounded work and output for hostile bodies', () => {
  test('given a params map with more than 1000 entries, when parsed, then the map is refused as a whole', () => {
    const params = Object.fromEntries(Array.from({ length: LIMITS.entriesPerMap + 1 }, (_, i) => [`k${i}`, 'v']));
    expect(problemsAfter((es) => { es[indexOf('params_logged')]!.payload.params = params; })).toEqual([
      problem('params_logged', 'payload.params', 'must have at most 1000 entries (got 1001)'),
    ]);
  });

  test('given more problems than a response lists, when parsed, then the first ones are listed and the last says more exist', () => {
    const bad = Array.from({ length: 1000 }, () => ({ type: 'metrics_logged', payload: { points: Array.from({ length: 10 }, () => ({ key: 1 })) } }));
    const result = parseEventBatch({ events: bad });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(LIMITS.problemsPerResponse);
    expect(result.problems[0]!.index).toBe(0);
    expect(result.problems[result.problems.length - 1]).toEqual({ index: null, path: '', message: expect.stringMatching(/^more problems than the 1000 listed/) });
  });

  test('given thousands of conflicting duplicate keys, when the raw text is parsed, then the listed problems are capped too', () => {
    const params = Array.from({ length: 5000 }, (_, i) => `"lr":"${i}"`).join(',');
    const raw = JSON.stringify(validBatch()).replace('"lr":"0.01"', params);
    const result = parseEventBatchText(raw);
    expect(!result.ok && result.problems.length).toBe(LIMITS.problemsPerResponse);
    expect(!result.ok && result.problems[0]).toEqual({ index: 2, path: 'events[2].payload.params.lr', message: expect.stringMatching(/more than once/) });
  });
});

describe('parseEventBatchText: the raw body', () => {
  test.each(['', '{', '{"events": [}', 'NaN', '{"events":[{"occurred_at": NaN}]}'])('given malformed JSON %j, when parsed, then one batch-level problem says so', (raw) => {
    expect(parseEventBatchText(raw)).toEqual({ ok: false, problems: [{ index: null, path: '', message: expect.stringMatching(/^the body is not valid JSON: /) }] });
  });

  test('given a params map with a key repeated with different values, when parsed, then it is refused', () => {
    const raw = JSON.stringify(validBatch()).replace('"lr":"0.01"', '"lr":"0.01","lr":"0.1"');
    expect(parseEventBatchText(raw)).toEqual({
      ok: false,
      problems: [{ index: 2, path: 'events[2].payload.params.lr', message: 'appears more than once in the same object with different values' }],
    });
  });

  test('given a repeated "type" in an event, when parsed, then the ambiguity is reported along with other problems', () => {
    const raw = JSON.stringify(validBatch()).replace('"type":"tags_set"', '"type":"tags_set","type":"tags_deleted"');
    const result = parseEventBatchText(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toContainEqual({ index: 4, path: 'events[4].type', message: 'appears more than once in the same object with different values' });
  });

  test('given a valid body, when parsed from text, then it equals parseEventBatch of the parsed JSON', () => {
    const raw = JSON.stringify(validBatch());
    expect(parseEventBatchText(raw)).toEqual(parseEventBatch(JSON.parse(raw)));
  });
});

function EVENT_TYPES_EXCEPT_EXPERIMENT(): EventType[] {
  return exampleEvents().map((e) => e.type).filter((t) => !EXPERIMENT_LEVEL_TYPES.includes(t) && !RUN_OR_EXPERIMENT_TYPES.includes(t));
}

describe('parseEventBatchText: what kind of failure', () => {
  test('given an empty body, bad JSON, too many events or a bad event, then `failure` says which (and stays out of equality and JSON)', () => {
    const empty = parseEventBatchText('');
    expect(!empty.ok && empty.failure).toEqual({ kind: 'not_json' });
    expect(!empty.ok && empty.problems[0]!.message).toMatch(/empty/);
    expect(JSON.stringify(empty)).not.toMatch(/failure/);
    const many = parseEventBatchText(JSON.stringify({ events: Array.from({ length: LIMITS.eventsPerBatch + 1 }, () => ({})) }));
    expect(!many.ok && many.failure).toEqual({ kind: 'too_many_events', count: LIMITS.eventsPerBatch + 1, limit: LIMITS.eventsPerBatch });
    const bad = parseEventBatchText(JSON.stringify({ events: [{ type: 'nope' }] }));
    expect(!bad.ok && bad.failure).toEqual({ kind: 'invalid' });
  });
});
