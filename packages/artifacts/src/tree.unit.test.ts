import type { ArtifactView } from '@trackstream/read-model';
import { mediaTypeOf } from './media-type';
import { parseRangeHeader } from './range';
import { listChildren } from './tree';

const file = (path: string, size = 1): ArtifactView => ({ path, uri: `file:///x/${path}`, size_bytes: size, sha256: 'a'.repeat(64), media_type: 'text/plain', logged_at: 1 });

describe('listChildren', () => {
  const tree = [file('a.txt', 3), file('models/m.bin', 9), file('models/v1/w.bin'), file('models/v1/x/y.bin'), file('z/q')];
  it('lists the root: files as themselves, deeper paths as their first directory, sorted', () => {
    expect(listChildren(null, tree).files.map((f) => [f.path, f.is_dir, f.file_size])).toEqual([
      ['a.txt', false, 3],
      ['models', true, undefined],
      ['z', true, undefined],
    ]);
  });
  it('lists a directory one level deep', () => {
    expect(listChildren('models', tree)).toMatchObject({ root: 'models', files: [{ path: 'models/m.bin', is_dir: false, file_size: 9 }, { path: 'models/v1', is_dir: true }] });
  });
  it('a file path or an unknown directory lists nothing', () => {
    expect(listChildren('a.txt', [file('a.txt')]).files).toEqual([]);
    expect(listChildren('mod', tree.filter((a) => a.path.startsWith('mod/'))).files).toEqual([]);
  });
});

describe('parseRangeHeader', () => {
  it('reads a-b, a-, -n and clamps to the size', () => {
    expect(parseRangeHeader('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRangeHeader('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRangeHeader('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRangeHeader('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRangeHeader('bytes=50-5000', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRangeHeader(undefined, 100)).toBeNull();
  });
  it.each(['bytes=100-', 'bytes=5-2', 'bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=-0', 'bytes=x-1'])('refuses %s', (h) => {
    expect(() => parseRangeHeader(h, 100)).toThrow(expect.objectContaining({ code: 'RANGE_NOT_SATISFIABLE' }));
  });
});

describe('mediaTypeOf', () => {
  it('keeps a specific declared type, else guesses by extension, else octet-stream', () => {
    expect(mediaTypeOf('plot.png', 'image/webp')).toBe('image/webp');
    expect(mediaTypeOf('plot.png', 'application/octet-stream')).toBe('image/png');
    expect(mediaTypeOf('dir/Data.CSV')).toBe('text/csv');
    expect(mediaTypeOf('model.pt')).toBe('application/octet-stream');
    expect(mediaTypeOf('.json')).toBe('application/octet-stream');
    expect(mediaTypeOf('a.txt', 'not a type\r\nX: y')).toBe('text/plain');
  });
});
