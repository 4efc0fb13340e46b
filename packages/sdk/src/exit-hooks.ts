/**
 * Process-exit safety net shared by every client in the process: one set of listeners, however many clients.
 * None of these paths may be asynchronous in the end ('exit' runs no more I/O callbacks, a re-raised signal
 * kills at once), so what is left is written to the spool synchronously.
 */
export interface ExitParticipant {
  hasUnsent(): boolean;
  /** Starts a last send if that makes sense; true if something now keeps the event loop alive. */
  flushOnce(): boolean;
  /** Writes everything unsent to the spool; `stop` also stops the client (the process is going away). */
  spillSync(stop: boolean): void;
}

const participants = new Set<ExitParticipant>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function onBeforeExit(): void {
  let kept = false;
  for (const p of participants) if (p.hasUnsent() && p.flushOnce()) kept = true;
  if (kept) return;
  for (const p of participants) if (p.hasUnsent()) p.spillSync(true);
}

function onExit(): void {
  for (const p of participants) if (p.hasUnsent()) p.spillSync(true);
}

function onSignal(signal: NodeJS.Signals): void {
  // If the application handles the signal itself (graceful shutdown that calls run.finish()), make the data
  // durable but keep the clients working; otherwise behave like the default action after spilling.
  const others = process.listenerCount(signal) - 1;
  for (const p of participants) if (p.hasUnsent()) p.spillSync(others === 0);
  if (others === 0) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

function install(): void {
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  process.off('beforeExit', onBeforeExit);
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

export function registerExitHooks(p: ExitParticipant): () => void {
  if (participants.size === 0) install();
  participants.add(p);
  return () => {
    if (!participants.delete(p)) return;
    if (participants.size === 0) uninstall();
  };
}
