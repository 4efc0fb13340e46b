import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from './local-store';
import { describeBlobStoreContract } from './testing/contract';

describeBlobStoreContract('local directory', {
  async open() {
    return new LocalBlobStore({ root: await mkdtemp(join(tmpdir(), 'trackstream-blobs-')) });
  },
});
