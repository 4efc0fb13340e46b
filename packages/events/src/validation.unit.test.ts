import { eventToJson, exampleEvents, parseEvent, parseEventBatch, parseEventBatchText, LIMITS } from './index';

const jsonBatch = () => ({ events: exampleEvents().map(eventToJson) });

describe('parseEventBatch', () => {
  test('given the JSON form of one event of every type, when parsed, then every event comes back equal', () => {
    const result = parseEventBatch(JSON.parse(JSON.stringify(jsonBatch())));
    expect(result).toEqual({ ok: true, events: exampleEvents() });
  });

  test('given omitted optional fields, when parsed, then nullable fields are null and maps/arrays empty', () => {
    const result = parseEvent({
      event_id: '00000000-0000-4000-8000-00000000000a', type: 'run_started', project: 'p', experiment_id: 'e', run_id: 'r',
      occurred_at: 1, payload: { start_time: 2 },
    });
    expect(result).toEqual({
      ok: true,
      event: {
        event_id: '00000000-0000-4000-8000-00000000000a', type: 'run_started', project: 'p', experiment_id: 'e', run_id: 'r', occurred_at: 1,
        payload: {
          run_name: null, user: null, parent_run_id: null, start_time: 2, tags: {}, context: {},
          source: { git_commit: null, git_branch: null, git_dirty: null, entry_point: null, host: null },
        },
      },
    });
  });

  test('given several bad events, when parsed, then every problem is reported with index and path', () => {
    const [a, b] = jsonBatch().events as Record<string, unknown>[];
    const result = parseEventBatch({
      events: [
        { ...a, project: 'bad id!' },
        { ...b, type: 'nope' },
        { ...(jsonBatch().events[2] as object), payload: { params: { ['k'.repeat(LIMITS.keyLength + 1)]: 'v' } } },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { index: 0, path: 'events[0].project', message: expect.stringMatching(/must match/) },
      { index: 1, path: 'events[1].type', message: expect.stringMatching(/unknown event type "nope"/) },
      { index: 2, path: expect.stringMatching(/^events\[2\]\.payload\.params\.k+$/), message: 'key must be at most 250 characters (got 251)' },
    ]);
  });

  test('given a params map with a duplicated key holding different values, when the raw text is parsed, then it is refused', () => {
    const raw = JSON.stringify(jsonBatch()).replace('"lr":"0.01"', '"lr":"0.01","lr":"0.1"');
    expect(parseEventBatchText(raw)).toEqual({
      ok: false,
      problems: [{ index: 2, path: 'events[2].payload.params.lr', message: expect.stringMatching(/more than once/) }],
    });
  });
});
