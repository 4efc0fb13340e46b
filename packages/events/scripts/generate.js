#!/usr/bin/env node
// Regenerates src/generated/ from schemas/ and records the fingerprint of a newly released schema version.
// Loads the TypeScript sources through the compiler's transpiler so the generator needs no build step.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(out.outputText, filename);
};

const pkg = path.resolve(__dirname, '..');
const schemasDir = path.resolve(pkg, '../../schemas/trackstream.events.v1');
const generatedDir = path.join(pkg, 'src/generated');
// The catalogue module is generated first: codegen imports catalogue.ts, which imports it.
const placeholder = path.join(generatedDir, 'catalogue.ts');
if (!fs.existsSync(placeholder)) {
  fs.mkdirSync(generatedDir, { recursive: true });
  fs.writeFileSync(placeholder, "export const CATALOGUE_SOURCE = { topic: '', versions: [] };\n");
}
const { readCatalogueDir, renderCatalogueModule, renderTypesModule } = require(path.join(pkg, 'src/codegen.ts'));

const { source, manifest, released } = readCatalogueDir(schemasDir);
if (released.length > 0) {
  for (const v of manifest.versions) v.fingerprint = source.versions[v.version - 1].fingerprint;
  fs.writeFileSync(path.join(schemasDir, 'catalogue.json'), JSON.stringify(manifest, null, 2) + '\n');
  process.stdout.write(`released schema version(s) ${released.join(', ')}; fingerprints recorded in catalogue.json\n`);
}
fs.writeFileSync(path.join(generatedDir, 'catalogue.ts'), renderCatalogueModule(source));
fs.writeFileSync(path.join(generatedDir, 'types.ts'), renderTypesModule(source));
process.stdout.write(`generated ${path.relative(process.cwd(), generatedDir)}/{catalogue,types}.ts from schema versions 1..${source.versions.length}\n`);
