#!/usr/bin/env node
import { runCli } from './cli-main';

runCli(process.argv.slice(2), process.env, {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`trackstream: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
