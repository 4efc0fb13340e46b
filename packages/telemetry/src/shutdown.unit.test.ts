import { noopLogger, stopOnSignals } from './index';

describe('stopOnSignals', () => {
  const setup = (stop: () => Promise<void>) => {
    const handlers = new Map<string, () => void>();
    const exits: number[] = [];
    let stops = 0;
    stopOnSignals({
      logger: noopLogger,
      stop: () => {
        stops++;
        return stop();
      },
      onSignal: (signal, handler) => handlers.set(signal, handler),
      exit: (code) => exits.push(code),
    });
    return { handlers, exits, stops: () => stops };
  };
  const settle = () => new Promise((r) => setImmediate(r));

  it('given SIGTERM then SIGINT, when the stop succeeds, then it stops once and exits 0', async () => {
    const { handlers, exits, stops } = setup(() => Promise.resolve());
    handlers.get('SIGTERM')!();
    handlers.get('SIGINT')!();
    await settle();
    expect(stops()).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('given a stop that fails, when signalled, then it exits 1', async () => {
    const { handlers, exits } = setup(() => Promise.reject(new Error('stuck')));
    handlers.get('SIGINT')!();
    await settle();
    expect(exits).toEqual([1]);
  });
});
