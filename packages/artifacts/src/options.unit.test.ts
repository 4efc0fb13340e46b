import { compileArtifactStoreOptions } from './options';
import { blobKey, digestOfKey } from './digest';
import { clampRange } from './range';
import { ArtifactStoreError } from './errors';

describe('compileArtifactStoreOptions', () => {
  it('defaults to .stack/artifacts under the working directory', () => {
    expect(compileArtifactStoreOptions({}, '/srv/ts')).toEqual({ kind: 'file', root: '/srv/ts/.stack/artifacts' });
  });
  it('reads file URLs and plain paths', () => {
    expect(compileArtifactStoreOptions({ url: 'file:///data/blobs' })).toEqual({ kind: 'file', root: '/data/blobs' });
    expect(compileArtifactStoreOptions({ url: 'rel/dir' }, '/w')).toEqual({ kind: 'file', root: '/w/rel/dir' });
  });
  it('splits s3://bucket/prefix and applies the S3 defaults, frozen', () => {
    const o = compileArtifactStoreOptions({ url: 's3://my-bucket/team/a/', s3Endpoint: 'http://127.0.0.1:8333' });
    expect(o).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'team/a', endpoint: 'http://127.0.0.1:8333', region: 'us-east-1', partSize: 8 * 1024 * 1024, queueSize: 4, createBucket: false });
    expect(Object.isFrozen(o)).toBe(true);
    expect(compileArtifactStoreOptions({ url: 's3://my-bucket' })).toMatchObject({ bucket: 'my-bucket', prefix: '' });
  });
  it.each([['s3://Bad_Bucket/x'], ['s3://ok-bucket/a/../b'], ['gs://bucket/x'], ['s3://b']])('rejects %s naming the problem', (url) => {
    expect(() => compileArtifactStoreOptions({ url })).toThrow(ArtifactStoreError);
  });
  it('rejects a part size under S3 minimum', () => {
    expect(() => compileArtifactStoreOptions({ url: 's3://bucket-a', s3PartSize: 1024 })).toThrow(/part size/);
  });
});

describe('content addressing', () => {
  const hex = 'ab'.repeat(32);
  it('lays blobs out as blobs/sha256/ab/cd/<hex> and reads the key back', () => {
    const h = 'abcd' + '0'.repeat(60);
    expect(blobKey(h)).toBe(`blobs/sha256/ab/cd/${h}`);
    expect(digestOfKey(blobKey(hex))).toBe(hex);
    expect(digestOfKey(`blobs/sha256/ff/ff/${hex}`)).toBeNull();
  });
  it('refuses a non-digest', () => {
    expect(() => blobKey('../x')).toThrow(/sha256/);
    expect(() => blobKey(hex.toUpperCase())).toThrow(/sha256/);
  });
});

describe('clampRange', () => {
  it('cuts an end past the size and refuses a start past it', () => {
    expect(clampRange({ start: 5, end: 100 }, 10)).toEqual({ start: 5, end: 9 });
    expect(() => clampRange({ start: 10, end: 12 }, 10)).toThrow(/past the end/);
    expect(() => clampRange({ start: 3, end: 2 }, 10)).toThrow(/invalid/);
  });
});
