import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseEnvLines } from './endpoints';

/** The repository's deploy/local/stack.sh, driven from tests and the global setup. */
export const STACK_SCRIPT = path.resolve(__dirname, '../../../deploy/local/stack.sh');

export type ServerName = 'kafka' | 'postgres' | 'clickhouse';
/** What the local stack script starts: the three servers, and SeaweedFS (S3) only when named. */
export type StackServer = ServerName | 'seaweedfs';

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
  start(...servers: StackServer[]): void {
    const res = run(['start', ...servers], true);
    if (res.status !== 0) throw new Error(`local stack failed to start (${STACK_SCRIPT} start ${servers.join(' ')}); see the message above`);
  },
  stop(...servers: StackServer[]): void {
    const res = run(['stop', ...servers], true);
    if (res.status !== 0) throw new Error(`local stack failed to stop ${servers.join(' ')}`);
  },
  env(): Record<string, string> {
    return parseEnvLines(run(['env'], false).stdout);
  },
  /** The S3 variables of the stack's SeaweedFS gateway (TRACKSTREAM_S3_*, AWS_*), whether or not it runs. */
  s3Env(): Record<string, string> {
    return parseEnvLines(run(['env', 'seaweedfs'], false).stdout);
  },
};
