/**
 * Polls `check` until it holds, for effects with a bounded delay (a token cache refresh, a projector catching up).
 * Resolves with the time it took; rejects naming `what` once `timeoutMs` has passed.
 */
export async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000, intervalMs = 50): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
