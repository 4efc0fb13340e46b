import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCatalogueDir, renderCatalogueModule, renderTypesModule } from './codegen';

const SCHEMAS = join(__dirname, '../../../schemas/trackstream.events.v1');

describe('generated modules', () => {
  const { source, released } = readCatalogueDir(SCHEMAS);

  test('given the schemas in schemas/, when the generated modules are rendered, then they equal the committed ones', () => {
    const hint = 'src/generated is stale: run `npm run generate -w @trackstream/events` and commit the result';
    expect({ hint, text: readFileSync(join(__dirname, 'generated/catalogue.ts'), 'utf8') }).toEqual({ hint, text: renderCatalogueModule(source) });
    expect({ hint, text: readFileSync(join(__dirname, 'generated/types.ts'), 'utf8') }).toEqual({ hint, text: renderTypesModule(source) });
  });

  test('given the catalogue manifest, then every version has its fingerprint recorded (released)', () => {
    expect(released).toEqual([]);
  });
});

describe('the generator', () => {
  const { mkdtempSync, writeFileSync, cpSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
  const { tmpdir } = jest.requireActual<typeof import('node:os')>('node:os');

  test('given a released schema edited in place, when the catalogue directory is read, then it is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
    cpSync(SCHEMAS, dir, { recursive: true });
    const schema = JSON.parse(readFileSync(join(dir, 'event.v1.avsc'), 'utf8'));
    schema.fields.push({ name: 'extra', type: ['null', 'string'], default: null });
    writeFileSync(join(dir, 'event.v1.avsc'), JSON.stringify(schema));
    expect(() => readCatalogueDir(dir)).toThrow(/released schemas never change/);
  });

  test('given a new version with no recorded fingerprint, when read, then it is reported as being released', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
    cpSync(SCHEMAS, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'catalogue.json'), 'utf8'));
    const latest = manifest.versions[manifest.versions.length - 1];
    const next = latest.version + 1;
    const schema = JSON.parse(readFileSync(join(dir, latest.file), 'utf8'));
    schema.fields.push({ name: 'extra', type: ['null', 'string'], default: null });
    writeFileSync(join(dir, `event.v${next}.avsc`), JSON.stringify(schema));
    manifest.versions.push({ version: next, file: `event.v${next}.avsc`, fingerprint: null });
    writeFileSync(join(dir, 'catalogue.json'), JSON.stringify(manifest));
    const { source, released } = readCatalogueDir(dir);
    expect(released).toEqual([next]);
    expect(source.versions.map((v) => v.version)).toEqual(Array.from({ length: next }, (_, i) => i + 1));
    expect(renderTypesModule(source)).toMatch(new RegExp(`schema version ${next}`));
  });
});
