import type { PutExpectations } from './blob-store';
import { assertSha256 } from './digest';
import { ArtifactStoreError } from './errors';

/** The one check of a streamed body against what the client announced (size first: it names the cut-off upload). */
export function checkExpectations(got: { sha256: string; size: number }, expect: PutExpectations): void {
  if (expect.size !== undefined && got.size !== expect.size) {
    const how = got.size < expect.size ? 'shorter' : 'longer';
    throw new ArtifactStoreError('SIZE_MISMATCH', `body is ${how} than announced: ${got.size} bytes received, ${expect.size} expected`, {
      details: { received: got.size, expected: expect.size },
    });
  }
  if (expect.sha256 !== undefined && got.sha256 !== assertSha256(expect.sha256)) {
    throw new ArtifactStoreError('CHECKSUM_MISMATCH', `content sha256 is ${got.sha256}, ${expect.sha256} expected`, {
      details: { received: got.sha256, expected: expect.sha256 },
    });
  }
}
