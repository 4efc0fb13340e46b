import { describeBlobStoreContract } from './testing/contract';
import { openS3TestStore, s3TestEndpoint } from './testing/seaweedfs';

// The S3 adapter against a real S3 server: SeaweedFS from the local stack.
beforeAll(() => {
  s3TestEndpoint();
}, 15 * 60_000);

describeBlobStoreContract('S3 (SeaweedFS)', {
  async open() {
    return openS3TestStore();
  },
});
