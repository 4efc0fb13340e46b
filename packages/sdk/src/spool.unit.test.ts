import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claimOrphanSpools, parseSpoolFileName, safeHost, SpoolFile, spoolFileName } from './spool';

describe('spool file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-spool-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ev = (i: number) => ({ event_id: `e${i}`, value: i });

  it('keeps unacknowledged batches across a reopen, in order', () => {
    const s = SpoolFile.create(dir, 'http://gw');
    const s1 = s.appendBatch([ev(1), ev(2)]);
    const s2 = s.appendBatch([ev(3)]);
    const s3 = s.appendBatch([ev(4)]);
    s.sync();
    s.appendAck([s2]);
    expect(s.pendingEvents).toBe(3);
    s.close();

    const { spool, scan } = SpoolFile.open(s.path);
    expect(scan.header?.url).toBe('http://gw');
    expect(spool.pendingSeqs()).toEqual([s1, s3]);
    expect(spool.readBatch(s1)).toEqual([ev(1), ev(2)]);
    expect(spool.readBatch(s3)).toEqual([ev(4)]);
    expect(spool.pendingEvents).toBe(3);
    // New batches continue the sequence instead of reusing an acked number.
    expect(spool.appendBatch([ev(5)])).toBeGreaterThan(s3);
    spool.close();
  });

  it('recovers from a torn last write: skips it, truncates it, and appends cleanly after', () => {
    const s = SpoolFile.create(dir, null);
    const s1 = s.appendBatch([ev(1)]);
    s.close();
    // A crash in the middle of appending the second batch.
    const torn = Buffer.from('1234abcd {"t":"b","s":2,"n":1,"events":[{"event_id":"e2"');
    fs.appendFileSync(s.path, torn);

    const { spool, scan } = SpoolFile.open(s.path);
    expect(scan.tornTailBytes).toBe(torn.length);
    expect(spool.pendingSeqs()).toEqual([s1]);
    const s3 = spool.appendBatch([ev(3)]);
    spool.appendAck([s1]);
    spool.close();

    const again = SpoolFile.open(s.path);
    expect(again.scan.tornTailBytes).toBe(0);
    expect(again.scan.corrupt).toBe(0);
    expect(again.spool.pendingSeqs()).toEqual([s3]);
    expect(again.spool.readBatch(s3)).toEqual([ev(3)]);
    again.spool.remove();
    expect(fs.existsSync(s.path)).toBe(false);
  });

  it('indexes a large file without holding it whole (batches bigger than the read chunk)', () => {
    const s = SpoolFile.create(dir, null);
    const big = Array.from({ length: 3 }, (_, i) => ({ event_id: `b${i}`, blob: 'x'.repeat(2_500_000) }));
    const seqs = [s.appendBatch(big.slice(0, 2)), s.appendBatch(big.slice(2))];
    s.close();
    const { spool } = SpoolFile.open(s.path);
    expect(spool.pendingSeqs()).toEqual(seqs);
    expect((spool.readBatch(seqs[1]!)[0] as { event_id: string }).event_id).toBe('b2');
    spool.close();
  });

  it('names files by host, pid and a unique id', () => {
    const name = spoolFileName('my.host_name', 4242, '0b6f7c2e-1111-4222-8333-444455556666');
    expect(parseSpoolFileName(name)).toEqual({ host: safeHost('my.host_name'), pid: 4242, id: '0b6f7c2e-1111-4222-8333-444455556666' });
    expect(parseSpoolFileName('rejected.x.1.jsonl')).toBeNull();
  });
});

describe('claiming orphaned spools', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-claim-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function orphan(pid: number, url: string | null): string {
    const s = SpoolFile.create(dir, url);
    s.appendBatch([{ event_id: 'x' }]);
    s.close();
    const to = path.join(dir, spoolFileName(os.hostname(), pid, parseSpoolFileName(path.basename(s.path))!.id));
    fs.renameSync(s.path, to);
    return to;
  }

  it('claims files of dead processes only, renaming them to this pid', () => {
    const dead = orphan(999_001, 'http://gw');
    const alive = orphan(999_002, 'http://gw');
    const claimed = claimOrphanSpools({ dir, url: 'http://gw', isAlive: (pid) => pid === 999_002 });
    expect(claimed).toHaveLength(1);
    expect(parseSpoolFileName(path.basename(claimed[0]!))!.pid).toBe(process.pid);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(alive)).toBe(true);
  });

  it('leaves spools written for another gateway unless asked for any', () => {
    orphan(999_003, 'http://other');
    expect(claimOrphanSpools({ dir, url: 'http://gw', isAlive: () => false })).toHaveLength(0);
    expect(claimOrphanSpools({ dir, url: null, isAlive: () => false })).toHaveLength(1);
  });

  it('gives each file to exactly one of two racing claimers', () => {
    const files = Array.from({ length: 10 }, (_, i) => orphan(998_000 + i, null));
    // The competitor claims each file between our directory listing and our rename (the liveness check runs
    // in exactly that window): our rename then finds nothing and must skip quietly.
    const theirs: string[] = [];
    const ours = claimOrphanSpools({
      dir,
      url: null,
      isAlive: (pid) => {
        const mine = files.find((f) => parseSpoolFileName(path.basename(f))!.pid === pid)!;
        if (pid % 2 === 0) {
          const to = mine.replace(`.${pid}.`, '.1.');
          fs.renameSync(mine, to);
          theirs.push(to);
        }
        return false;
      },
    });
    expect(ours).toHaveLength(5);
    expect(theirs).toHaveLength(5);
    expect(new Set([...ours, ...theirs].map((f) => parseSpoolFileName(path.basename(f))!.id)).size).toBe(10);
  });

  it('finds nothing (and does not fail) when the directory does not exist yet', () => {
    expect(claimOrphanSpools({ dir: path.join(dir, 'missing'), url: null })).toEqual([]);
  });
});
