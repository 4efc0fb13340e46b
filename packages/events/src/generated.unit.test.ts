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
