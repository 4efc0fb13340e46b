import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Trackstream } from './client';
import type { TrackstreamOptions } from './options';
import { recoverSpools } from './recovery';
import { parseSpoolFileName, SpoolFile, spoolFileName } from './spool';
import { noopLogger } from '@trackstream/telemetry';
import { retry, ScriptedTransport } from './testing';
import { AccessDeniedError } from './errors';
import type { SendResult } from './transport';

type Ev = Record<string, unknown> & { type: string; event_id: string; payload: Record<string, unknown> };

function points(events: Record<string, unknown>[]): { key: string; value: unknown; step: number }[] {
  return (events as Ev[]).filter((e) => e.type === 'metrics_logged').flatMap((e) => e.payload.points as { key: string; value: unknown; step: number }[]);
}

describe('send pipeline (scripted transport)', () => {
  let dir: string;
  const clients: Trackstream[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-pipeline-test-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close({ timeoutMs: 10 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function client(transport: ScriptedTransport | null, extra: Partial<TrackstreamOptions> = {}): Trackstream {
    const c = new Trackstream({
      project: 'proj',
      url: 'http://gateway.invalid',
      spoolDir: dir,
      exitHooks: false,
      recoverSpools: false,
      captureContext: false,
      retry: { baseMs: 5, maxMs: 20 },
      ...(transport ? { transport } : { offline: true }),
      ...extra,
    });
    clients.push(c);
    return c;
  }

  const spoolFiles = () => fs.readdirSync(dir).filter((f) => f.endsWith('.spool'));

  it('batches by size, keeps run order, and delivers every point in order', async () => {
    const t = new ScriptedTransport();
    const run = await client(t, { flushPoints: 1000 }).startRun({ experiment: 'exp', name: 'r1' });
    for (let s = 0; s < 2500; s++) run.log({ loss: 1 / (s + 1) }, { step: s });
    // Sealed by size on the next turn of the loop (the timer is 2 s away) and sent in events of ≤ 1000 points.
    await new Promise((r) => setTimeout(r, 50));
    expect(points(t.accepted())).toHaveLength(2500);
    expect((t.accepted() as Ev[]).filter((e) => e.type === 'metrics_logged').map((e) => (e.payload.points as unknown[]).length)).toEqual([1000, 1000, 500]);
    const report = await run.finish();
    expect(report).toMatchObject({ complete: true, unsentEvents: 0, spoolPath: null });
    const all = t.accepted() as Ev[];
    expect(all.map((e) => e.type)[0]).toBe('experiment_created');
    expect(all.map((e) => e.type)[1]).toBe('run_started');
    expect(all[all.length - 1]!.type).toBe('run_completed');
    expect(points(all).map((p) => p.step)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('flushes by time when few points are logged', async () => {
    const t = new ScriptedTransport();
    const run = await client(t, { flushIntervalMs: 30 }).startRun({ experiment: 'exp' });
    run.log({ a: 1, b: 2 });
    await new Promise((r) => setTimeout(r, 150));
    expect(points(t.accepted())).toHaveLength(2);
    await run.finish();
  });

  it('encodes non-finite values the way the contract says', async () => {
    const t = new ScriptedTransport();
    const run = await client(t).startRun({ experiment: 'exp' });
    run.log({ nan: NaN, inf: Infinity, ninf: -Infinity, ok: 0.5 }, { step: 1 });
    await run.finish();
    expect(points(t.accepted()).map((p) => p.value)).toEqual(['NaN', 'Infinity', '-Infinity', 0.5]);
  });

  it('retries with the same event ids, spilling to disk while the gateway fails', async () => {
    const t = new ScriptedTransport([() => retry(), () => retry(), () => retry()]);
    const c = client(t);
    const run = await c.startRun({ experiment: 'exp' });
    run.log({ loss: 1 }, { step: 0 });
    await new Promise((r) => setTimeout(r, 5));
    const report = await run.finish({ timeoutMs: 5000 });
    expect(report.complete).toBe(true);
    const ids = t.bodies.map((b) => b.events.map((e) => e.event_id).join(','));
    // The first request was retried verbatim (same ids).
    expect(ids[1]).toBe(ids[0]);
    expect(c.stats().retries).toBe(3);
    // Everything acknowledged: the spool file that held the events during the outage is gone.
    expect(spoolFiles()).toEqual([]);
  });

  it('spills to the spool when memory is full and the gateway is slow, then sends it all in order', async () => {
    const t = new ScriptedTransport();
    t.pause();
    const c = client(t, { maxBufferedPoints: 500, flushPoints: 100 });
    const run = await c.startRun({ experiment: 'exp' });
    for (let s = 0; s < 5000; s++) {
      run.log({ x: s }, { step: s });
      if (s % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 10));
    const stats = c.stats();
    expect(stats.spooledEvents).toBeGreaterThan(0);
    expect(stats.bufferedPoints).toBeLessThan(600);
    expect(spoolFiles()).toHaveLength(1);
    t.resume();
    const report = await run.finish({ timeoutMs: 10_000 });
    expect(report.complete).toBe(true);
    expect(points(t.accepted()).map((p) => p.step)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(spoolFiles()).toEqual([]);
  });

  it('finish() at its deadline reports what is unsent and where; the next start sends it', async () => {
    const down = new ScriptedTransport(Array.from({ length: 1000 }, () => () => retry()));
    const c = client(down);
    const run = await c.startRun({ experiment: 'exp', runId: 'run-deadline' });
    for (let s = 0; s < 10; s++) run.log({ loss: s }, { step: s });
    const report = await run.finish({ timeoutMs: 100 });
    expect(report.complete).toBe(false);
    expect(report.unsentEvents).toBeGreaterThan(0);
    expect(report.spoolPath).not.toBeNull();
    expect(fs.existsSync(report.spoolPath!)).toBe(true);
    await c.close({ timeoutMs: 10 });

    // As if this process had died: the file now belongs to a dead pid.
    const parsed = parseSpoolFileName(path.basename(report.spoolPath!))!;
    fs.renameSync(report.spoolPath!, path.join(dir, spoolFileName(os.hostname(), 999_999, parsed.id)));
    const up = new ScriptedTransport();
    const rec = await recoverSpools({ dir, url: 'http://gateway.invalid', transport: up, backoff: { baseMs: 5, maxMs: 20 }, logger: noopLogger, isAlive: () => false });
    // The run's events plus its experiment's creation event.
    expect(rec).toMatchObject({ files: 1, sentEvents: report.unsentEvents + 1, leftFiles: [] });
    const sent = up.accepted() as Ev[];
    expect(sent.filter((e) => e.run_id === 'run-deadline').map((e) => e.type)).toContain('run_completed');
    expect(points(sent).map((p) => p.step)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(spoolFiles()).toEqual([]);
  });

  it('a refused token (401) is not retried: finish() reports a typed error at once, every event is kept in the spool, a later sync sends them', async () => {
    const denied = (): SendResult => ({ kind: 'denied', status: 401, code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED', message: 'the API token was revoked' });
    const t = new ScriptedTransport(Array.from({ length: 100 }, () => denied));
    const c = client(t);
    const run = await c.startRun({ experiment: 'exp', runId: 'run-denied' });
    for (let s = 0; s < 10; s++) run.log({ loss: s }, { step: s });
    const report = await run.finish({ timeoutMs: 30_000 });
    expect(t.bodies).toHaveLength(1);
    expect(report.complete).toBe(false);
    expect(report.error).toBeInstanceOf(AccessDeniedError);
    expect(report.error).toMatchObject({ code: 'SDK_UNAUTHENTICATED', status: 401, reason: 'TOKEN_REVOKED', retriable: false });
    expect(report.error!.message).toMatch(/401 UNAUTHENTICATED, TOKEN_REVOKED.*revoked.*trackstream sync/);
    expect(report.unsentEvents).toBeGreaterThan(0);
    expect(fs.existsSync(report.spoolPath!)).toBe(true);
    // Later writes are spooled, not sent.
    const late = await c.startRun({ experiment: 'exp', runId: 'run-late' });
    late.log({ loss: 1 }, { step: 0 });
    expect(await late.finish({ timeoutMs: 30_000 })).toMatchObject({ complete: false, error: expect.any(AccessDeniedError) });
    const closed = await c.close({ timeoutMs: 30_000 });
    expect(closed.error).toBeInstanceOf(AccessDeniedError);
    expect(t.bodies).toHaveLength(1);

    const file = spoolFiles()[0]!;
    fs.renameSync(path.join(dir, file), path.join(dir, spoolFileName(os.hostname(), 999_999, parseSpoolFileName(file)!.id)));
    // A sync with the same refused token sends nothing and leaves the file…
    const stillDenied = new ScriptedTransport([() => ({ kind: 'denied', status: 403, code: 'FORBIDDEN', reason: 'FORBIDDEN', message: 'no' })]);
    const rec1 = await recoverSpools({ dir, url: 'http://gateway.invalid', transport: stillDenied, backoff: { baseMs: 5, maxMs: 20 }, logger: noopLogger, isAlive: () => false });
    expect(rec1).toMatchObject({ sentEvents: 0, leftFiles: [expect.any(String)], denied: expect.objectContaining({ code: 'SDK_FORBIDDEN', status: 403 }) });
    expect(stillDenied.bodies).toHaveLength(1);
    // …and with a good one, everything arrives: nothing was lost.
    for (const f of spoolFiles()) fs.renameSync(path.join(dir, f), path.join(dir, spoolFileName(os.hostname(), 999_998, parseSpoolFileName(f)!.id)));
    const up = new ScriptedTransport();
    const rec2 = await recoverSpools({ dir, url: 'http://gateway.invalid', transport: up, backoff: { baseMs: 5, maxMs: 20 }, logger: noopLogger, isAlive: () => false });
    expect(rec2).toMatchObject({ leftFiles: [], denied: null });
    const sent = up.accepted() as Ev[];
    expect(points(sent.filter((e) => e.run_id === 'run-denied')).map((p) => p.step)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(sent.filter((e) => e.type === 'run_completed').map((e) => e.run_id).sort()).toEqual(['run-denied', 'run-late']);
  });

  it('sets aside exactly the events a 400 names and delivers the rest', async () => {
    const t = new ScriptedTransport();
    const run = await client(t).startRun({ experiment: 'exp' });
    await new Promise((r) => setTimeout(r, 20));
    t.pause();
    run.setTags({ a: '1' });
    run.setTags({ b: '2' });
    t.script.push((events) => {
      const i = events.findIndex((e) => (e.payload as { tags?: object }).tags && 'a' in (e.payload as { tags: object }).tags);
      return { kind: 'rejected', status: 400, problems: [{ index: i, path: `events[${i}].payload.tags.a`, message: 'bad' }] };
    });
    t.resume();
    const report = await run.finish();
    expect(report.rejectedEvents).toBe(1);
    expect(report.rejectedPath).not.toBeNull();
    expect(fs.readFileSync(report.rejectedPath!, 'utf8')).toContain('"bad"');
    expect(report.complete).toBe(false);
    const tagEvents = (t.accepted() as Ev[]).filter((e) => e.type === 'tags_set');
    expect(tagEvents.map((e) => e.payload.tags)).toEqual([{ b: '2' }]);
  });

  it('halves a batch on 413 until it fits', async () => {
    const t = new ScriptedTransport();
    t.pause();
    const run = await client(t).startRun({ experiment: 'exp' });
    run.setTags({ a: '1' });
    run.setTags({ b: '2' });
    const fits = (e: unknown[]) => (e.length > 1 ? { kind: 'too_large' as const } : { kind: 'accepted' as const, accepted: 1, token: null });
    t.script.push(...Array.from({ length: 10 }, () => fits));
    t.resume();
    await run.finish();
    expect(t.results).toContain('too_large');
    expect((t.accepted() as Ev[]).map((e) => e.type)).toEqual(['experiment_created', 'run_started', 'tags_set', 'tags_set', 'run_completed']);
  });

  it('holds no more than the memory bound even when the caller never yields to the event loop', async () => {
    const t = new ScriptedTransport();
    t.pause();
    const c = client(t, { maxBufferedPoints: 1000 });
    const run = await c.startRun({ experiment: 'exp' });
    for (let s = 0; s < 20_000; s++) run.log({ x: s }, { step: s });
    expect(c.stats().bufferedPoints).toBeLessThanOrEqual(2000);
    expect(c.stats().spooledEvents).toBeGreaterThan(0);
    t.resume();
    await run.finish();
    expect(points(t.accepted()).map((p) => p.step)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  });

  it('offline mode writes only to the spool', async () => {
    const c = client(null);
    const run = await c.startRun({ experiment: 'exp' });
    run.log({ loss: 1 }, { step: 0 });
    const report = await run.finish();
    // run_started, metrics_logged, run_completed (+ experiment_created, which belongs to no run)
    expect(report).toMatchObject({ complete: false, sentEvents: 0, unsentEvents: 3 });
    const { spool } = SpoolFile.open(report.spoolPath!);
    expect(spool.pendingEvents).toBe(4);
    spool.close();
  });

  it('downsample keeps every Nth point of a key while under pressure and says so at finish', async () => {
    const t = new ScriptedTransport();
    t.pause();
    const c = client(t, { backpressure: 'downsample', downsampleEvery: 5, maxBufferedPoints: 10, flushPoints: 5 });
    const run = await c.startRun({ experiment: 'exp' });
    for (let s = 0; s < 100; s++) {
      run.log({ loss: s }, { step: s });
      await new Promise((r) => setImmediate(r));
    }
    t.resume();
    const report = await run.finish();
    const kept = points(t.accepted()).length;
    expect(report.backpressure.downsampled).toBe(100 - kept);
    expect(report.backpressure.downsampledByKey.loss).toBe(100 - kept);
    expect(kept).toBeLessThan(40);
  });

  it('drop discards only debug metrics under pressure, counting them', async () => {
    const t = new ScriptedTransport();
    t.pause();
    const c = client(t, { backpressure: 'drop', maxBufferedPoints: 10, flushPoints: 5 });
    const run = await c.startRun({ experiment: 'exp' });
    for (let s = 0; s < 50; s++) {
      run.log({ loss: s }, { step: s });
      run.log({ grad_norm: s }, { step: s, debug: true });
      await new Promise((r) => setImmediate(r));
    }
    t.resume();
    const report = await run.finish();
    const pts = points(t.accepted());
    expect(pts.filter((p) => p.key === 'loss')).toHaveLength(50);
    expect(report.backpressure.dropped).toBe(50 - pts.filter((p) => p.key === 'grad_norm').length);
    expect(report.backpressure.dropped).toBeGreaterThan(30);
  });

  it('two clients agree on an experiment and emit the identical creation event', async () => {
    const t1 = new ScriptedTransport();
    const t2 = new ScriptedTransport();
    const e1 = await client(t1).getOrCreateExperiment('sweep-42');
    const e2 = await client(t2).getOrCreateExperiment('sweep-42');
    expect(e1.experimentId).toBe(e2.experimentId);
    await Promise.all(clients.map((c) => c.flush(1000)));
    expect(t1.accepted()[0]!.event_id).toBe(t2.accepted()[0]!.event_id);
  });
});
