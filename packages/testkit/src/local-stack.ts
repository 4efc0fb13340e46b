import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseEnvLines } from './endpoints';

/** The repository's deploy/local/stack.sh, driven from tests and the global setup. */
export const STACK_SCRIPT = path.resolve(__dirname, '../../../deploy/local/stack.sh');

export type ServerName = 'kafka' | 'postgres' | 'clickhouse';

function run(args: string[], inheritOutput: boolean): { status: number; stdout: string } {
  const res = spawnSync('bash', [STACK_SCRIPT, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', inheritOutput ? 'inherit' : 'pipe'],
  });
  if (res.error) throw res.error;
  return { status: res.status ?? 1, stdout: res.stdout };
}

export const localStack = {
  isUp(): boolean {
    return run(['status'], false).status === 0;
  },
  start(...servers: ServerName[]): void {
    const res = run(['start', ...servers], true);
    if (res.status !== 0) throw new Error(`local stack failed to start (${STACK_SCRIPT} start ${servers.join(' ')}); see the message above`);
  },
  stop(...servers: ServerName[]): void {
    const res = run(['stop', ...servers], true);
    if (res.status !== 0) throw new Error(`local stack failed to stop ${servers.join(' ')}`);
  },
  env(): Record<string, string> {
    return parseEnvLines(run(['env'], false).stdout);
  },
};
