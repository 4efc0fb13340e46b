import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { parseEnvLines } from './endpoints';
import { STACK_SCRIPT, type ServerName } from './local-stack';
import { uniqueName } from './names';

/**
 * Servers that belong to one test alone, on their own free ports and data directory, for fault
 * tests that stop and restart a server: the shared servers stay up for every other test.
 */
export interface DedicatedServers {
  /** Endpoint variables of the dedicated servers only (TRACKSTREAM_KAFKA_BROKERS, …). */
  env: Record<string, string>;
  stop(server: ServerName): Promise<void>;
  start(server: ServerName): Promise<void>;
  /** Stops every dedicated server and removes its data. */
  cleanup(): Promise<void>;
}

const REPO = path.resolve(__dirname, '../../..');

function mainStackDir(): string {
  return process.env.TRACKSTREAM_STACK_DIR || path.join(REPO, '.stack');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function runStack(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [STACK_SCRIPT, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${STACK_SCRIPT} ${args.join(' ')} exited ${code}:\n${stderr}`));
    });
  });
}

export async function startDedicatedServers(servers: ServerName[]): Promise<DedicatedServers> {
  const dir = path.join(mainStackDir(), 'dedicated', uniqueName('stack'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRACKSTREAM_STACK_DIR: dir,
    TRACKSTREAM_STACK_KAFKA_LIBS: path.join(mainStackDir(), 'kafka', 'libs'),
    TRACKSTREAM_STACK_KAFKA_PORT: String(await freePort()),
    TRACKSTREAM_STACK_KAFKA_CONTROLLER_PORT: String(await freePort()),
    TRACKSTREAM_STACK_PG_PORT: String(await freePort()),
    TRACKSTREAM_STACK_CH_HTTP_PORT: String(await freePort()),
    TRACKSTREAM_STACK_CH_TCP_PORT: String(await freePort()),
    TRACKSTREAM_STACK_CH_INTERSERVER_PORT: String(await freePort()),
    TRACKSTREAM_STACK_KAFKA_HEAP: '256m',
  };
  const started = new Set<ServerName>();
  const stop = async (server: ServerName) => {
    await runStack(['stop', server], env);
    started.delete(server);
  };
  const start = async (server: ServerName) => {
    await runStack(['start', server], env);
    started.add(server);
  };
  try {
    for (const s of servers) await start(s);
  } catch (err) {
    await runStack(['stop'], env).catch(() => undefined);
    throw err;
  }
  const all = parseEnvLines(await runStack(['env'], env));
  const wanted: Record<ServerName, string> = {
    kafka: 'TRACKSTREAM_KAFKA_BROKERS',
    postgres: 'TRACKSTREAM_PG_URL',
    clickhouse: 'TRACKSTREAM_CLICKHOUSE_URL',
  };
  return {
    env: Object.fromEntries(servers.map((s) => [wanted[s], all[wanted[s]]!])),
    stop,
    start,
    cleanup: async () => {
      await runStack(['stop'], env);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
