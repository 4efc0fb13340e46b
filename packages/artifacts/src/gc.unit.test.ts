import { planCollection } from './gc';

const H = (c: string) => c.repeat(64);
const HOUR = 3_600_000;

describe('planCollection', () => {
  const now = 10 * HOUR;
  const blobs = [
    { sha256: H('a'), size: 10, touchedAt: now - 5 * HOUR }, // referenced: kept
    { sha256: H('b'), size: 20, touchedAt: now - 5 * HOUR }, // unreferenced, old: collected
    { sha256: H('c'), size: 40, touchedAt: now - 1000 }, // unreferenced but fresh (upload in flight): kept
  ];
  const staging = [
    { key: 'staging/old', size: 7, modifiedAt: now - 3 * HOUR },
    { key: 'staging/new', size: 9, modifiedAt: now - 1000 },
  ];

  it('given unreferenced old blobs and stale staging, when planned, then only those go and their bytes are counted', () => {
    const plan = planCollection(blobs, staging, new Set([H('a')]), now, HOUR);
    expect(plan.blobs.map((b) => b.sha256)).toEqual([H('b')]);
    expect(plan.staging.map((s) => s.key)).toEqual(['staging/old']);
    expect(plan.bytes).toBe(27);
  });

  it('given a longer grace period, when planned, then nothing younger than it goes', () => {
    expect(planCollection(blobs, staging, new Set(), now, 6 * HOUR)).toEqual({ blobs: [], staging: [], uploads: [], bytes: 0 });
  });
});

describe('planCollection of multipart uploads', () => {
  it('an upload goes only when its newest object is older than the grace period (one still receiving parts stays)', () => {
    const now = 10 * 3_600_000;
    const o = (key: string, age: number, size = 5) => ({ key, size, modifiedAt: now - age });
    const objects = [o('uploads/old/manifest.json', 7_200_000), o('uploads/old/parts/00001', 7_000_000), o('uploads/live/manifest.json', 7_200_000), o('uploads/live/parts/00002', 1_000)];
    const plan = planCollection([], [], new Set(), now, 3_600_000, objects);
    expect(plan.uploads).toEqual([{ id: 'old', bytes: 10 }]);
    expect(plan.bytes).toBe(10);
  });
});
