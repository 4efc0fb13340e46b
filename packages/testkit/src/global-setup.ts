import { chooseStackSource, SOURCE_VAR } from './endpoints';
import { dockerAnswers, startContainers } from './containers';
import { localStack } from './local-stack';

// Shared with global-teardown.ts: jest runs both in the same context.
interface SetupState {
  stopContainers?: () => Promise<void>;
  startedLocalStack?: boolean;
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
}
