import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { chooseStackSource, SOURCE_VAR } from './endpoints';
import { dockerAnswers, startContainers } from './containers';
import { localStack } from './local-stack';

// Shared with global-teardown.ts: jest runs both in the same context.
interface SetupState {
  stopContainers?: () => Promise<void>;
  startedLocalStack?: boolean;
  startedS3?: boolean;
}
const state = globalThis as typeof globalThis & { __trackstreamStack?: SetupState };

/** Finds or starts Kafka, Postgres and ClickHouse once per test run and exports their endpoints to workers. */
export default async function globalSetup(): Promise<void> {
  const source = chooseStackSource(process.env, await dockerAnswers());
  const s: SetupState = {};
  state.__trackstreamStack = s;

  if (source === 'testcontainers') {
    const { env, stop } = await startContainers();
    Object.assign(process.env, env);
    s.stopContainers = stop;
  } else if (source === 'local') {
    const wasUp = localStack.isUp();
    if (!wasUp) localStack.start();
    s.startedLocalStack = !wasUp;
    Object.assign(process.env, localStack.env());
  }
  process.env[SOURCE_VAR] = source;
  await provideS3(s);
  provideBrowser();
}

/**
 * The browser for the UI tests (Debian's Chromium, driven by playwright-core): installed here, before any test runs,
 * so a first install (apt, a minute or two) never eats a test's timeout. TRACKSTREAM_CHROMIUM names another browser.
 */
function provideBrowser(): void {
  const script = path.resolve(__dirname, '../../../scripts/ensure-chromium.sh');
  process.env.TRACKSTREAM_CHROMIUM = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * A real S3 server for the artifact tests: TRACKSTREAM_TEST_S3_ENDPOINT when given, else the local stack's SeaweedFS,
 * started here before any test runs. Its first start builds `weed` from the Go module source (minutes, cached
 * afterwards), so the build never competes with the test workers for the two cores.
 */
async function provideS3(s: SetupState): Promise<void> {
  if (process.env.TRACKSTREAM_TEST_S3_ENDPOINT !== undefined) return;
  const env = localStack.s3Env();
  const endpoint = env.TRACKSTREAM_S3_ENDPOINT;
  if (endpoint === undefined) throw new Error('local stack: `stack.sh env seaweedfs` printed no TRACKSTREAM_S3_ENDPOINT');
  if (!(await answers(endpoint))) {
    localStack.start('seaweedfs');
    s.startedS3 = true;
  }
  process.env.TRACKSTREAM_TEST_S3_ENDPOINT = endpoint;
  process.env.TRACKSTREAM_S3_REGION ??= env.TRACKSTREAM_S3_REGION;
  process.env.AWS_ACCESS_KEY_ID ??= env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY ??= env.AWS_SECRET_ACCESS_KEY;
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}
