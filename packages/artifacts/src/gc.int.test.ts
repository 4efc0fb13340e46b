import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { collectGarbage } from './gc';
import { LocalBlobStore } from './local-store';

describe('collectGarbage on a local directory', () => {
  it('dry-run reports, a real run deletes only unreferenced blobs past the grace period', async () => {
    const store = new LocalBlobStore({ root: await mkdtemp(join(tmpdir(), 'trackstream-gc-')) });
    const kept = await store.put(Readable.from([Buffer.from('referenced')]));
    const gone = await store.put(Readable.from([Buffer.from('orphan!')]));
    const later = Date.now() + 60_000;
    const dry = await collectGarbage(store, { referenced: new Set([kept.sha256]), graceMs: 30_000, dryRun: true, now: later });
    expect(dry.blobs.map((b) => b.sha256)).toEqual([gone.sha256]);
    expect(dry.bytes).toBe(7);
    expect(await store.head(gone.sha256)).not.toBeNull();
    // Within the grace period nothing goes (an upload whose event is not in the log yet).
    expect((await collectGarbage(store, { referenced: new Set(), graceMs: 30_000, dryRun: false })).blobs).toEqual([]);
    await collectGarbage(store, { referenced: new Set([kept.sha256]), graceMs: 30_000, dryRun: false, now: later });
    expect(await store.head(gone.sha256)).toBeNull();
    expect(await store.head(kept.sha256)).not.toBeNull();
  });
});
