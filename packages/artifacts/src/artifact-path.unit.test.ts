import { ArtifactPathError, validateArtifactPath } from './artifact-path';

function reason(path: string): string {
  try {
    validateArtifactPath(path);
  } catch (err) {
    if (err instanceof ArtifactPathError) return err.reason;
    throw err;
  }
  return 'VALID';
}

describe('validateArtifactPath', () => {
  it.each([['model.pt'], ['models/v1/model.pt'], ['plots/loss curve.png'], ['..hidden/x'], ['a/b.c/d']])('accepts %s', (p) => {
    expect(reason(p)).toBe('VALID');
  });
  it.each([
    ['', 'EMPTY'],
    ['../etc/passwd', 'DOT_SEGMENT'],
    ['a/../../b', 'DOT_SEGMENT'],
    ['./a', 'DOT_SEGMENT'],
    ['/etc/passwd', 'ABSOLUTE'],
    ['C:/x', 'ABSOLUTE'],
    ['a\\..\\b', 'BACKSLASH'],
    ['a\u0000b', 'NUL'],
    ['a\nb', 'CONTROL'],
    ['a//b', 'EMPTY_SEGMENT'],
    ['dir/', 'EMPTY_SEGMENT'],
    ['x'.repeat(256), 'SEGMENT_TOO_LONG'],
    [('abcdefgh/'.repeat(120)) + 'z', 'TOO_LONG'],
    [Array(33).fill('d').join('/'), 'TOO_DEEP'],
  ])('rejects %j with %s', (p, why) => {
    expect(reason(p)).toBe(why);
  });
});
