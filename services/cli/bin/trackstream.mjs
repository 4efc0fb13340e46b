#!/usr/bin/env node
// The `trackstream` bin (npx trackstream <command>): runs the built CLI, building the workspace first if it is not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(cliDir, 'dist', 'main.js');
if (!existsSync(main)) {
  const root = join(cliDir, '..', '..');
  process.stderr.write('trackstream: building the workspace (tsc -b) first...\n');
  const built = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0 || !existsSync(main)) {
    process.stderr.write('trackstream: the build failed; run npm run build and see its errors\n');
    process.exit(1);
  }
}
await import(pathToFileURL(main).href);
