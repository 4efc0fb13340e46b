// Bundles the single-page app (src/client/main.tsx) with esbuild into dist/public, with the static files beside
// it. Run by scripts/bootstrap.sh (so `npm start` and `npm test` serve a current build); nothing is fetched at run time.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist', 'public');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, 'src', 'client', 'main.tsx') },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  logLevel: 'warning',
});
cpSync(join(here, 'static'), out, { recursive: true });
