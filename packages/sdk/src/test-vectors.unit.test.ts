import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRetryAfter } from './backoff';
import { decodeRecords } from './framing';
import { filterEnv, isSecretName, redactArgv, redactParams, scrubValue } from './secrets';
import { serializeMetrics, type PointSource } from './serialize';
import { SpoolFile } from './spool';
import { parseEvent } from './wire';

/**
 * The vectors both SDKs check (clients/test-vectors; the Python side is clients/python/tests/test_vectors.py): the
 * spool files each SDK wrote, the wire form of events, Retry-After parsing and secret redaction. A change to either
 * SDK's format fails here or there, never silently in the other.
 */
const VECTORS = path.resolve(__dirname, '../../../clients/test-vectors');
const load = (name: string): any => JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8'));
const wire = load('wire.json');
const secrets = load('secrets.json');
const spool = load('spool/expected.json');

/** The contract's JSON for a double: "NaN" / "Infinity" / "-Infinity" strings stand for the non-finite ones. */
const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

describe('shared test vectors: wire', () => {
  const metrics: [number, any][] = wire.metrics.map((m: any, i: number) => [i, m]);
  it.each(metrics)('serializes metrics vector %i to the expected event', (_i, m) => {
    const pts = m.points as [string, number | string, number, number][];
    const src: PointSource = { key: (i) => pts[i]![0], value: (i) => num(pts[i]![1]), step: (i) => pts[i]![2], timestamp: (i) => pts[i]![3] };
    const text = serializeMetrics(m.envelope, src, 0, pts.length);
    expect(JSON.parse(text)).toEqual(m.event);
    expect(parseEvent(JSON.parse(text)).ok).toBe(true);
  });

  it('every vector event is one the contract accepts', () => {
    for (const e of [...wire.metrics.map((m: any) => m.event), ...wire.batch_events]) {
      const r = parseEvent(e);
      expect(r.ok ? 'ok' : JSON.stringify(r.problems)).toBe('ok');
    }
  });

  const retryAfter: [string | null, number, number | null][] = wire.retry_after.map((r: any) => [r.header, r.now_ms, r.ms]);
  it.each(retryAfter)('Retry-After %p at %p is %p ms', (header, now, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });
});

describe('shared test vectors: secrets', () => {
  it('names', () => {
    expect((secrets.secret_names as string[]).filter((n) => !isSecretName(n))).toEqual([]);
    expect((secrets.not_secret_names as string[]).filter((n) => isSecretName(n))).toEqual([]);
  });
  it('values, env, argv, params', () => {
    for (const [input, output] of secrets.scrub_value) expect(scrubValue(input)).toBe(output);
    expect(filterEnv(secrets.filter_env.input)).toEqual(secrets.filter_env.output);
    for (const [input, output] of secrets.redact_argv) expect(redactArgv(input)).toEqual(output);
    for (const [input, output] of secrets.redact_params) expect(redactParams(input)).toEqual(output);
  });
});

describe('shared test vectors: spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-vectors-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(spool.files as string[])('reads %s: pending batches in order, the damaged record and the torn tail skipped', (name) => {
    const file = path.join(dir, name);
    fs.copyFileSync(path.join(VECTORS, 'spool', name), file); // open() cuts the torn tail off: work on a copy
    const { spool: s, scan } = SpoolFile.open(file);
    try {
      expect(scan.header?.url).toBe(spool.read.url);
      expect([scan.corrupt, scan.tornTailBytes]).toEqual([spool.read.corrupt, spool.read.torn_tail_bytes]);
      expect(s.pendingSeqs().map((seq) => ({ seq, events: s.readBatch(seq) }))).toEqual(spool.read.pending);
    } finally {
      s.close();
    }
  });

  it('writes the records the vector says for the same calls', () => {
    const s = SpoolFile.create(dir, spool.read.url);
    for (const [kind, arg] of spool.writes) {
      if (kind === 'batch') s.appendBatch(arg);
      else s.appendAck(arg);
    }
    s.close();
    const records = decodeRecords(fs.readFileSync(s.path)).records.map((r) => r.value as Record<string, unknown>);
    const { host: _h, pid: _p, created: _c, ...header } = records[0]!;
    expect([header, ...records.slice(1)]).toEqual(spool.records);
  });
});
