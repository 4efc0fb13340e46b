import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Trackstream } from './client';
import { InvalidArgumentError, RunFinishedError } from './errors';
import type { Run } from './run';
import { REDACTED } from './secrets';
import { ScriptedTransport } from './testing';

describe('arguments are checked at the call', () => {
  let dir: string;
  let client: Trackstream;
  let transport: ScriptedTransport;
  let run: Run;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-run-test-'));
    transport = new ScriptedTransport();
    client = new Trackstream({ project: 'proj', url: 'http://gw.invalid', transport, spoolDir: dir, exitHooks: false, recoverSpools: false, captureContext: false });
    run = await client.startRun({ experiment: 'exp' });
  });
  afterEach(async () => {
    await client.close({ timeoutMs: 100 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function thrown(fn: () => unknown): InvalidArgumentError {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidArgumentError);
      return err as InvalidArgumentError;
    }
    throw new Error('expected the call to throw');
  }

  it.each([
    ['step', () => run.log({ loss: 1 }, { step: NaN }), /step must be a finite integer .*, got NaN/],
    ['step', () => run.log({ loss: 1 }, { step: Infinity }), /finite integer/],
    ['step', () => run.log({ loss: 1 }, { step: 1.5 }), /finite integer/],
    ['step', () => run.log({ loss: 1 }, { step: Number.MAX_SAFE_INTEGER }), /between -9007199254740990 and 9007199254740990/],
    ['timestamp', () => run.log({ loss: 1 }, { timestamp: -1 }), /timestamp/],
    ['metrics key', () => run.log({ '': 1 }), /must not be empty/],
    ['metrics key', () => run.log({ ['k'.repeat(251)]: 1 }), /251 characters, the limit is 250/],
    ['metrics.loss', () => run.log({ loss: '0.5' as unknown as number }), /must be a number, got "0.5"/],
    ['metrics.loss', () => run.log({ loss: null as unknown as number }), /got null/],
    ['metrics', () => run.log(null as unknown as Record<string, number>), /object/],
    ['params.lr', () => run.logParams({ lr: 'x'.repeat(6001) }), /6001 characters, the limit is 6000/],
    ['params.opt', () => run.logParams({ opt: { a: 1 } }), /string, number, boolean or bigint/],
    ['tags.note', () => run.setTags({ note: 'x'.repeat(5001) }), /limit is 5000/],
    ['keys[1]', () => run.deleteTags(['ok', '']), /empty/],
    ['artifact.sha256', () => run.logArtifact({ path: 'm.pt', uri: 's3://b/m.pt', sha256: 'abc' }), /64 hex/],
    ['artifact.sizeBytes', () => run.logArtifact({ path: 'm.pt', uri: 's3://b/m.pt', sizeBytes: -1 }), /non-negative/],
    ['lineage.inputs[0].kind', () => run.recordLineage({ inputs: [{ kind: 'table' as 'dataset', name: 'x' }] }), /dataset, model, code or run/],
    ['status', () => run.finish({ status: 'DONE' as 'FINISHED' }), /FINISHED, FAILED or KILLED/],
  ])('names %s', (argument, call, message) => {
    const err = thrown(call);
    expect(err.argument).toBe(argument);
    expect(err.message).toMatch(message);
    expect(err.code).toBe('SDK_INVALID_ARGUMENT');
    expect(err.retriable).toBe(false);
  });

  it('logs nothing from a call that throws (a call is all or nothing)', async () => {
    expect(() => run.log({ a: 1, b: 'x' as unknown as number }, { step: 0 })).toThrow(InvalidArgumentError);
    run.log({ c: 1 }, { step: 0 });
    await run.finish();
    const keys = transport.accepted().flatMap((e) => ((e.payload as { points?: { key: string }[] }).points ?? []).map((p) => p.key));
    expect(keys).toEqual(['c']);
  });

  it('checks client and startRun options', async () => {
    expect(() => new Trackstream({ project: 'bad project!', url: 'http://x' })).toThrow(/project: must match/);
    expect(() => new Trackstream({ project: 'p', url: 'ftp://x' })).toThrow(/url/);
    await expect(client.startRun({ experiment: 'e', runId: 'has space' })).rejects.toThrow(/runId/);
    await expect(client.startRun({})).rejects.toThrow(/exactly one of experiment/);
    await expect(client.startRun({ experiment: 'e', name: 'n'.repeat(300) })).rejects.toThrow(InvalidArgumentError);
  });

  it('counts characters as code points, as the schema does', () => {
    expect(() => run.log({ ['😀'.repeat(250)]: 1 })).not.toThrow();
    expect(() => run.log({ ['😀'.repeat(251)]: 1 })).toThrow(/251 characters, the limit is 250/);
    expect(() => run.setTags({ t: '😀'.repeat(5000) })).not.toThrow();
  });

  it('checks non-metric events with the shared schema validation (same rules as the gateway)', () => {
    const params = JSON.parse('{"__proto__": "x"}') as Record<string, unknown>;
    expect(() => run.logParams(params)).toThrow(InvalidArgumentError);
  });

  it('allows NaN and infinite metric values (a diverging loss is data)', () => {
    expect(() => run.log({ loss: NaN, big: Infinity })).not.toThrow();
  });

  it('refuses writes after finish', async () => {
    await run.finish();
    expect(() => run.log({ a: 1 })).toThrow(RunFinishedError);
    expect(() => run.setTags({ a: 1 })).toThrow(RunFinishedError);
    // finish() is idempotent
    await expect(run.finish()).resolves.toMatchObject({ runId: run.runId });
  });

  it('redacts secret-looking params before they leave the process (unless turned off)', async () => {
    const r = await client.startRun({ experiment: 'exp', params: { lr: 0.01, api_key: 'sk-live-1234', db_password: 'hunter2' } });
    await r.finish();
    const params = transport.accepted().filter((e) => e.type === 'params_logged').map((e) => (e.payload as { params: object }).params);
    expect(params).toEqual([{ lr: '0.01', api_key: REDACTED, db_password: REDACTED }]);
    expect(JSON.stringify(transport.bodies)).not.toMatch(/sk-live-1234|hunter2/);

    const t2 = new ScriptedTransport();
    const c2 = new Trackstream({ project: 'proj', url: 'http://gw.invalid', transport: t2, spoolDir: dir, exitHooks: false, recoverSpools: false, captureContext: false, redactSecretParams: false });
    const r2 = await c2.startRun({ experiment: 'exp', params: { api_key: 'visible' } });
    await r2.finish();
    await c2.close();
    expect(JSON.stringify(t2.bodies)).toContain('visible');
  });

  it('uses the step after the previous one when none is given', async () => {
    run.log({ a: 1 }, { step: 10 });
    run.log({ a: 2 });
    run.log({ a: 3 });
    await run.finish();
    const steps = transport.accepted().flatMap((e) => ((e.payload as { points?: { step: number }[] }).points ?? []).map((p) => p.step));
    expect(steps).toEqual([10, 11, 12]);
  });
});
