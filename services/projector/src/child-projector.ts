import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The built projector (dist/main.js) run as its own process, as scripts/start.sh runs it. */
export const PROJECTOR_MAIN = path.resolve(__dirname, '../dist/main.js');

export interface ChildProjector {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
}

/** The built ingest gateway, for end-to-end tests through HTTP. */
export const GATEWAY_MAIN = path.resolve(__dirname, '../../ingest-gateway/dist/main.js');

export function spawnProjector(projection: 'postgres' | 'clickhouse', env: Record<string, string>): ChildProjector {
  return spawnService(PROJECTOR_MAIN, ['--projection', projection], env);
}

export function spawnService(main: string, args: string[], env: Record<string, string>): ChildProjector {
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npx tsc -b\` first`);
  const child = spawn(process.execPath, [main, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { process: child, output: () => out, exited };
}
