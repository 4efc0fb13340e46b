export { describeBlobStoreContract, readAll, sha256Of, generated, type BlobStoreContractSubject } from './contract';
export { s3TestEndpoint, s3TestUrl, openS3TestStore, type S3TestEndpoint } from './seaweedfs';
