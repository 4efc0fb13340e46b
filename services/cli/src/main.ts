#!/usr/bin/env node
import { scrubSecrets } from '@trackstream/telemetry';
import { runCli } from './cli';

const controller = new AbortController();
let signals = 0;
const onSignal = () => {
  // First Ctrl-C: finish the batch in flight, save the checkpoint, exit 130. Second: leave now.
  if (++signals > 1) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCli(process.argv.slice(2), process.env, {
  out: (l) => process.stdout.write(l + '\n'),
  err: process.stderr,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // kafkajs may keep sockets a moment after disconnect; the work is done.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    // A stack can quote a connection string or a header value: scrubbed like every service's fatal error.
    process.stderr.write(`trackstream: ${scrubSecrets((err as Error).stack ?? String(err))}\n`);
    process.exit(1);
  },
);
