import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidArgumentError, runCli, Trackstream, type TrackstreamOptions } from '@trackstream/sdk';
import { gatewayUnderTest, storedPoints, type GatewayUnderTest } from './support';

const SDK_DIST = path.resolve(__dirname, '../../packages/sdk/dist/index.js');

// The SDK against the real ingest gateway and Kafka: what a training script sees, end to end.
describe('SDK → gateway → Kafka', () => {
  let gw: GatewayUnderTest;
  let spoolDir: string;
  const clients: Trackstream[] = [];

  beforeEach(async () => {
    gw = await gatewayUnderTest();
    spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-sdk-e2e-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close({ timeoutMs: 1000 });
    await gw.cleanup();
    fs.rmSync(spoolDir, { recursive: true, force: true });
  });

  function client(extra: Partial<TrackstreamOptions> = {}): Trackstream {
    const c = new Trackstream({ url: gw.url, project: 'e2e', spoolDir, exitHooks: false, retry: { baseMs: 100, maxMs: 2000 }, ...extra });
    clients.push(c);
    return c;
  }

  it('a run logging 100,000 points arrives complete and in order (gzip-compressed batches)', async () => {
    const c = client();
    const run = await c.startRun({ experiment: 'e2e-100k', name: 'big', params: { lr: 0.01 } });
    for (let step = 0; step < 25_000; step++) run.log({ loss: 1 / (step + 1), acc: step / 25_000, lr: 0.01, grad: step % 7 }, { step });
    const report = await run.finish({ timeoutMs: 50_000 });
    expect(report).toMatchObject({ complete: true, unsentEvents: 0, rejectedEvents: 0, spoolPath: null });

    const events = await gw.readEvents();
    const mine = events.filter((e) => e.run_id === run.runId);
    expect(mine[0]!.type).toBe('run_started');
    expect(mine[mine.length - 1]!.type).toBe('run_completed');
    const pts = storedPoints(events, run.runId);
    expect(pts).toHaveLength(100_000);
    for (const key of ['loss', 'acc', 'lr', 'grad']) {
      const steps = pts.filter((p) => p.key === key).map((p) => p.step);
      expect(steps).toEqual(Array.from({ length: 25_000 }, (_, i) => i));
    }
    expect(pts.find((p) => p.key === 'loss' && p.step === 9)!.value).toBeCloseTo(0.1);
    expect(c.stats().sentRequests).toBeLessThan(200);
  }, 120_000);

  it('gateway down for 30 s mid-run: nothing is lost once it returns', async () => {
    const c = client();
    const run = await c.startRun({ experiment: 'e2e-outage' });
    let step = 0;
    const callNs: number[] = [];
    const logFor = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        for (let i = 0; i < 10; i++) {
          const t0 = process.hrtime.bigint();
          run.log({ loss: step, acc: step * 2 }, { step: step++ });
          callNs.push(Number(process.hrtime.bigint() - t0));
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await logFor(1000);
    await gw.stop();
    callNs.length = 0;
    await logFor(30_000);
    // The training loop never waits for the dead gateway or the disk: log() stays in the microseconds.
    const sorted = [...callNs].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.99)]!).toBeLessThan(500_000);
    const during = c.stats();
    expect(during.healthy).toBe(false);
    expect(during.spooledEvents).toBeGreaterThan(0);
    await gw.start();
    await logFor(1000);
    const report = await run.finish({ timeoutMs: 30_000 });
    expect(report).toMatchObject({ complete: true, unsentEvents: 0 });

    const pts = storedPoints(await gw.readEvents(), run.runId);
    for (const key of ['loss', 'acc']) {
      expect(pts.filter((p) => p.key === key).map((p) => p.step)).toEqual(Array.from({ length: step }, (_, i) => i));
    }
    // Acknowledged: the outage spool is gone.
    expect(fs.readdirSync(spoolDir).filter((f) => f.endsWith('.spool'))).toEqual([]);
  }, 120_000);

  it('a process killed mid-run leaves a spool that the next start sends', async () => {
    if (!fs.existsSync(SDK_DIST)) throw new Error(`${SDK_DIST} is missing: run \`npx tsc -b\` before this test`);
    const url = gw.url;
    await gw.stop(); // the child logs while the gateway is down, so its events go to disk
    const script = path.join(spoolDir, 'child.js');
    fs.writeFileSync(
      script,
      `
const { Trackstream } = require(${JSON.stringify(SDK_DIST)});
(async () => {
  const client = new Trackstream({ url: ${JSON.stringify(url)}, project: 'e2e', spoolDir: ${JSON.stringify(spoolDir)},
    flushIntervalMs: 100, retry: { baseMs: 50, maxMs: 200 } });
  const run = await client.startRun({ experiment: 'e2e-crash', name: 'doomed' });
  for (let step = 0; step < 5000; step++) run.log({ loss: step }, { step });
  // Wait until the flusher put everything on disk, then tell the parent, which kills us without warning.
  const timer = setInterval(() => {
    const s = client.stats();
    if (s.queuedEvents > 0 && s.bufferedPoints === 0 && s.spooledEvents === s.queuedEvents) {
      process.stdout.write(JSON.stringify({ runId: run.runId, spooled: s.spooledEvents }) + '\\n');
      clearInterval(timer);
      setInterval(() => {}, 1000);
    }
  }, 20);
})();
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const { runId } = JSON.parse(line) as { runId: string; spooled: number };
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const files = fs.readdirSync(spoolDir).filter((f) => f.endsWith('.spool'));
    expect(files).toHaveLength(1);
    // A crash can also tear the last record in half: the next start must skip it, not choke on it.
    fs.appendFileSync(path.join(spoolDir, files[0]!), '0badc0de {"t":"b","s":999,"n":1,"events":[{"event_');

    await gw.start();
    const next = client();
    const recovered = await next.recovery;
    expect(recovered).toMatchObject({ files: 1, leftFiles: [], tornTailBytes: expect.any(Number) });
    expect(recovered!.tornTailBytes).toBeGreaterThan(0);

    const events = await gw.readEvents();
    const types = events.filter((e) => e.run_id === runId).map((e) => e.type);
    expect(types[0]).toBe('run_started');
    expect(storedPoints(events, runId).map((p) => p.step)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(fs.readdirSync(spoolDir).filter((f) => f.endsWith('.spool'))).toEqual([]);
  }, 60_000);

  it('SIGTERM with points still in memory: spilled synchronously at exit, sent by the next start', async () => {
    const child = spawnSdkChild(`
  const client = new Trackstream({ url: ${JSON.stringify(gw.url)}, project: 'e2e', spoolDir: ${JSON.stringify(spoolDir)}, flushIntervalMs: 600000 });
  const run = await client.startRun({ experiment: 'e2e-sigterm' });
  await client.flush(10000); // run_started is in Kafka; what follows stays in memory (no size or time trigger)
  for (let step = 0; step < 500; step++) run.log({ loss: step }, { step });
  // Stay alive until the signal: with an empty event loop the process would end by itself, and beforeExit would
  // send the points (the path of the test below) before SIGTERM arrives.
  setInterval(() => {}, 1000);
  ready({ runId: run.runId, queued: client.stats().queuedEvents });
`);
    const { runId } = (await child.ready) as { runId: string };
    child.process.kill('SIGTERM');
    const [, signal] = await child.exited;
    expect(signal).toBe('SIGTERM'); // the default action still happens after the spill
    expect(fs.readdirSync(spoolDir).filter((f) => f.endsWith('.spool'))).toHaveLength(1);
    expect(storedPoints(await gw.readEvents(), runId)).toHaveLength(0);

    const recovered = await client().recovery;
    expect(recovered).toMatchObject({ files: 1, leftFiles: [] });
    expect(storedPoints(await gw.readEvents(), runId).map((p) => p.step)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  }, 60_000);

  it('a script that ends without finish(): its buffered points are sent on the way out', async () => {
    const child = spawnSdkChild(`
  const client = new Trackstream({ url: ${JSON.stringify(gw.url)}, project: 'e2e', spoolDir: ${JSON.stringify(spoolDir)}, flushIntervalMs: 600000 });
  const run = await client.startRun({ experiment: 'e2e-forgot-finish' });
  for (let step = 0; step < 300; step++) run.log({ loss: step }, { step });
  ready({ runId: run.runId });
`);
    const { runId } = (await child.ready) as { runId: string };
    const [code] = await child.exited; // exits by itself: the SDK holds no timer that keeps the process alive
    expect(code).toBe(0);
    expect(storedPoints(await gw.readEvents(), runId)).toHaveLength(300);
    expect(fs.readdirSync(spoolDir).filter((f) => f.endsWith('.spool'))).toEqual([]);
  }, 60_000);

  it('the `trackstream sync` command sends an offline run', async () => {
    const offline = client({ offline: true });
    const run = await offline.startRun({ experiment: 'e2e-offline' });
    for (let step = 0; step < 100; step++) run.log({ loss: step }, { step });
    const report = await run.finish();
    expect(report.spoolPath).not.toBeNull();
    await offline.close();
    // The spool of a live process is never claimed; as from another process (the CLI), it is.
    const lines: string[] = [];
    const childPid = await deadPid();
    fs.renameSync(report.spoolPath!, report.spoolPath!.replace(`.${process.pid}.`, `.${childPid}.`));
    const code = await runCli(['sync', '--url', gw.url, '--dir', spoolDir], { TRACKSTREAM_LOG_LEVEL: 'silent' }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/1 spool file\(s\), 4 event\(s\) sent/);
    expect(code).toBe(0);
    expect(storedPoints(await gw.readEvents(), run.runId)).toHaveLength(100);

    // The installed command itself (the workspace's one `trackstream` bin, @trackstream/cli, forwarding sync to the
    // SDK), configured from the environment.
    const bin = path.resolve(__dirname, '../../services/cli/dist/main.js');
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const p = spawn(process.execPath, [bin, 'sync'], { env: { ...process.env, TRACKSTREAM_URL: gw.url, TRACKSTREAM_SPOOL_DIR: spoolDir, TRACKSTREAM_LOG_LEVEL: 'silent' } });
      let stdout = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.on('exit', (code) => resolve({ code, stdout }));
    });
    expect(out).toEqual({ code: 0, stdout: expect.stringMatching(/^trackstream sync: 0 spool file\(s\), 0 event\(s\) sent/) as unknown as string });
  }, 60_000);

  it('100 sweep workers getting-or-creating one experiment at once agree on it: one id, one creation event id', async () => {
    const workers = Array.from({ length: 100 }, () => client({ recoverSpools: false, captureContext: false }));
    const ids = await Promise.all(workers.map((w) => w.getOrCreateExperiment('e2e-sweep', { description: 'lr sweep' })));
    const runs = await Promise.all(workers.map((w, i) => w.startRun({ experiment: 'e2e-sweep', name: `trial-${i}` })));
    await Promise.all(runs.map((r) => r.finish()));
    expect(new Set(ids.map((e) => e.experimentId)).size).toBe(1);
    const created = (await gw.readEvents()).filter((e) => e.type === 'experiment_created' && e.experiment_id === ids[0]!.experimentId);
    // Each worker sent it (nobody waits for anybody); all copies are the same event, which projections apply once.
    expect(created.length).toBeGreaterThanOrEqual(100);
    expect(new Set(created.map((e) => e.event_id)).size).toBe(1);
    const started = (await gw.readEvents()).filter((e) => e.type === 'run_started');
    expect(new Set(started.map((e) => e.experiment_id))).toEqual(new Set([ids[0]!.experimentId]));
    expect(started).toHaveLength(100);
  }, 60_000);

  it('secrets never reach Kafka: env, argv and secret-looking params are filtered at start', async () => {
    const c = client({
      env: { PATH: '/usr/bin', HOME: '/home/ada', OPENAI_API_KEY: 'sk-should-not-leak-0000', DB_PASSWORD: 'hunter2-should-not-leak', HF_TOKEN: 'hf-should-not-leak' },
      argv: ['node', 'train.js', '--epochs', '3', '--api-key', 'argv-should-not-leak'],
    });
    const run = await c.startRun({ experiment: 'e2e-secrets', params: { lr: 0.1, wandb_api_key: 'param-should-not-leak' } });
    await run.finish();
    const events = (await gw.readEvents()).filter((e) => e.run_id === run.runId);
    const started = events.find((e) => e.type === 'run_started');
    expect(started?.type).toBe('run_started');
    if (started?.type !== 'run_started') return;
    expect(started.payload.context['env.PATH']).toBe('/usr/bin');
    expect(started.payload.context.node_version).toBe(process.version);
    expect(started.payload.source.host).toBe(os.hostname());
    const all = JSON.stringify(events);
    expect(all).not.toMatch(/should-not-leak/);
    expect(Object.keys(started.payload.context).some((k) => /OPENAI|PASSWORD|HF_TOKEN/.test(k))).toBe(false);
  });

  it('bad arguments fail at the call and nothing of them reaches the log', async () => {
    const c = client();
    const run = await c.startRun({ experiment: 'e2e-bad-args' });
    expect(() => run.log({ loss: 1 }, { step: Number.POSITIVE_INFINITY })).toThrow(InvalidArgumentError);
    expect(() => run.log({ '': 1 })).toThrow(/metrics key: key must not be empty/);
    expect(() => run.logParams({ lr: 'x'.repeat(6001) })).toThrow(/params\.lr: value is 6001 characters, the limit is 6000/);
    expect(() => run.log({ loss: 'low' as unknown as number })).toThrow(/metrics\.loss: metric value must be a number/);
    run.log({ loss: 0.5 }, { step: 1 });
    const report = await run.finish();
    expect(report.complete).toBe(true);
    const events = (await gw.readEvents()).filter((e) => e.run_id === run.runId);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'metrics_logged', 'run_completed']);
  });
});

/** A node child running `body` (inside an async function) with the built SDK; `ready(x)` reports x to the test. */
function spawnSdkChild(body: string): {
  process: ReturnType<typeof spawn>;
  ready: Promise<unknown>;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
} {
  if (!fs.existsSync(SDK_DIST)) throw new Error(`${SDK_DIST} is missing: run \`npx tsc -b\` before this test`);
  const script = `const { Trackstream } = require(${JSON.stringify(SDK_DIST)});
const ready = (x) => process.stdout.write(JSON.stringify(x) + '\\n');
(async () => {
${body}
})().catch((e) => { process.stderr.write(String(e.stack) + '\\n'); process.exit(3); });
`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  const ready = new Promise<unknown>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]!));
    });
    void exited.then(([code]) => reject(new Error(`child exited (${code}) before it was ready`)));
  });
  return { process: child, ready, exited };
}

/** A pid that is not running (a child that has exited). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}
