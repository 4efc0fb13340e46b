import { experimentCreatedEventId, experimentIdFor, newEventId, newRunId, UUID_PATTERN, uuidV5 } from './ids';
import { LIMITS } from './wire';

describe('deterministic ids', () => {
  it('computes RFC 4122 version-5 UUIDs (known vector)', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'www.example.com')
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives every worker the same experiment id for (project, name), a valid id', () => {
    const ids = new Set(Array.from({ length: 200 }, () => experimentIdFor('vision', 'resnet-sweep')));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(id).toMatch(LIMITS.idPattern);
    expect(id).toMatch(/^exp-/);
  });

  it('separates projects and names without ambiguity', () => {
    expect(experimentIdFor('a', 'bc')).not.toBe(experimentIdFor('ab', 'c'));
    expect(experimentIdFor('vision', 'x')).not.toBe(experimentIdFor('nlp', 'x'));
    expect(experimentIdFor('vision', 'x')).not.toBe(experimentIdFor('vision', 'X'));
  });

  it('derives the creation event id from the experiment id, so duplicates collapse to one event', () => {
    const e = experimentIdFor('p', 'n');
    expect(experimentCreatedEventId(e)).toBe(experimentCreatedEventId(e));
    expect(experimentCreatedEventId(e)).toMatch(UUID_PATTERN);
  });

  it('makes fresh random event and run ids', () => {
    expect(newEventId()).toMatch(UUID_PATTERN);
    expect(newEventId()).not.toBe(newEventId());
    expect(newRunId()).toMatch(LIMITS.idPattern);
  });
});
