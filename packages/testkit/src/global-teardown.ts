import { localStack } from './local-stack';

const state = globalThis as typeof globalThis & {
  __trackstreamStack?: { stopContainers?: () => Promise<void>; startedLocalStack?: boolean; startedS3?: boolean };
};

/** Stops only what the setup started; TRACKSTREAM_KEEP_STACK=1 keeps a local stack it started running. */
export default async function globalTeardown(): Promise<void> {
  const s = state.__trackstreamStack;
  if (!s) return;
  if (s.stopContainers) await s.stopContainers();
  if (s.startedS3 && process.env.TRACKSTREAM_KEEP_STACK !== '1') localStack.stop('seaweedfs');
  if (s.startedLocalStack && process.env.TRACKSTREAM_KEEP_STACK !== '1') localStack.stop();
}
