import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeRecord, encodeRecordText, verifyLine } from './framing';

/**
 * One append-only spool file per process. Three record kinds, each a framed line (see framing.ts):
 *   {"t":"h", ...}                     header: who wrote it and for which gateway
 *   {"t":"b","s":<seq>,"n":<count>,"events":[...]} a batch of events in wire (JSON) form, in send order
 *   {"t":"a","s":[<seq>,...]}          those batches were acknowledged by the gateway
 * Pending = batches without an ack. Acks are not fsynced: losing one only re-sends events whose ids make the
 * re-send harmless. Batches are fsynced (per spill, not per batch) because losing one loses data.
 */
export interface SpoolHeader {
  t: 'h';
  v: 1;
  url: string | null;
  host: string;
  pid: number;
  created: number;
}

const FILE_PATTERN = /^ts\.(.+)\.(\d+)\.([0-9a-f-]{36})\.spool$/;

export function spoolFileName(host: string, pid: number, id: string): string {
  return `ts.${safeHost(host)}.${pid}.${id}.spool`;
}

export function parseSpoolFileName(name: string): { host: string; pid: number; id: string } | null {
  const m = FILE_PATTERN.exec(name);
  return m ? { host: m[1]!, pid: Number(m[2]), id: m[3]! } : null;
}

export function safeHost(host: string): string {
  return host.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64) || 'host';
}

export function defaultSpoolDir(): string {
  return path.join(os.homedir(), '.trackstream', 'spool');
}

export interface SpoolScan {
  header: SpoolHeader | null;
  corrupt: number;
  tornTailBytes: number;
}

interface Slot {
  offset: number;
  length: number;
  events: number;
}

export class SpoolFile {
  private fd: number | null;
  private size: number;
  private nextSeq = 1;
  private readonly slots = new Map<number, Slot>();
  private pendingEventCount = 0;

  private constructor(
    readonly path: string,
    fd: number,
    size: number,
  ) {
    this.fd = fd;
    this.size = size;
  }

  /** A fresh file for this process; written lazily by the pipeline only when something must spill. */
  static create(dir: string, url: string | null): SpoolFile {
    fs.mkdirSync(dir, { recursive: true });
    const host = os.hostname();
    const file = path.join(dir, spoolFileName(host, process.pid, randomUUID()));
    const fd = fs.openSync(file, 'ax', 0o600);
    const spool = new SpoolFile(file, fd, 0);
    const header: SpoolHeader = { t: 'h', v: 1, url, host: safeHost(host), pid: process.pid, created: Date.now() };
    spool.write(encodeRecord(header));
    return spool;
  }

  /**
   * Opens an existing file (one this process has claimed), rebuilds the index of unacknowledged batches,
   * and cuts off a torn tail so later appends start on a clean line.
   */
  static open(file: string): { spool: SpoolFile; scan: SpoolScan } {
    const fd = fs.openSync(file, 'r+');
    const acked = new Set<number>();
    const slots = new Map<number, Slot>();
    let header: SpoolHeader | null = null;
    let corrupt = 0;
    let maxSeq = 0;
    const end = scanLines(fd, (line, offset) => {
      const body = verifyLine(line);
      if (body === null) {
        corrupt++;
        return;
      }
      const head = batchHead(body);
      if (head !== null) {
        slots.set(head.seq, { offset, length: line.length + 1, events: head.events });
        maxSeq = Math.max(maxSeq, head.seq);
        return;
      }
      let rec: { t?: unknown; s?: unknown };
      try {
        rec = JSON.parse(body.toString('utf8')) as typeof rec;
      } catch {
        corrupt++;
        return;
      }
      if (rec.t === 'h' && header === null) header = rec as unknown as SpoolHeader;
      else if (rec.t === 'a' && Array.isArray(rec.s)) for (const s of rec.s) acked.add(Number(s));
    });
    const total = fs.fstatSync(fd).size;
    if (end.goodEnd < total) fs.ftruncateSync(fd, end.goodEnd);
    fs.closeSync(fd);
    const appendFd = fs.openSync(file, 'a');
    const spool = new SpoolFile(file, appendFd, end.goodEnd);
    for (const [seq, slot] of slots) {
      if (acked.has(seq)) continue;
      spool.slots.set(seq, slot);
      spool.pendingEventCount += slot.events;
    }
    spool.nextSeq = maxSeq + 1;
    return { spool, scan: { header, corrupt, tornTailBytes: total - end.goodEnd } };
  }

  /** Appends one batch; returns its sequence number. Call sync() once after a group of appends. */
  appendBatch(events: readonly unknown[]): number {
    return this.appendBatchText(events.map((e) => JSON.stringify(e)));
  }

  /** Same, for events already serialized (each one JSON text). */
  appendBatchText(events: readonly string[]): number {
    const seq = this.nextSeq++;
    const buf = encodeRecordText(`{"t":"b","s":${seq},"n":${events.length},"events":[${events.join(',')}]}`);
    const offset = this.size;
    this.write(buf);
    this.slots.set(seq, { offset, length: buf.length, events: events.length });
    this.pendingEventCount += events.length;
    return seq;
  }

  appendAck(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    this.write(encodeRecord({ t: 'a', s: seqs }));
    for (const s of seqs) {
      const slot = this.slots.get(s);
      if (slot) this.pendingEventCount -= slot.events;
      this.slots.delete(s);
    }
  }

  readBatch(seq: number): unknown[] {
    const slot = this.slots.get(seq);
    if (!slot) throw new Error(`spool ${this.path} has no pending batch ${seq}`);
    const buf = Buffer.alloc(slot.length);
    const rfd = fs.openSync(this.path, 'r');
    try {
      let read = 0;
      while (read < slot.length) {
        const n = fs.readSync(rfd, buf, read, slot.length - read, slot.offset + read);
        if (n === 0) break;
        read += n;
      }
    } finally {
      fs.closeSync(rfd);
    }
    const body = verifyLine(buf.subarray(0, buf.length - 1));
    if (body === null) throw new Error(`spool ${this.path} batch ${seq} failed its checksum`);
    return (JSON.parse(body.toString('utf8')) as { events: unknown[] }).events;
  }

  pendingSeqs(): number[] {
    return [...this.slots.keys()].sort((a, b) => a - b);
  }

  get pendingBatches(): number {
    return this.slots.size;
  }

  get pendingEvents(): number {
    return this.pendingEventCount;
  }

  get bytes(): number {
    return this.size;
  }

  sync(): void {
    if (this.fd !== null) fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Closes and deletes the file: everything in it was acknowledged. */
  remove(): void {
    this.close();
    fs.rmSync(this.path, { force: true });
  }

  private write(buf: Buffer): void {
    if (this.fd === null) throw new Error(`spool ${this.path} is closed`);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    this.size += buf.length;
  }
}

const BATCH_HEAD = /^\{"t":"b","s":(\d+),"n":(\d+),/;

// The sequence number and event count sit at the front of a batch record; reading them there avoids parsing
// megabytes of events just to index a file.
function batchHead(body: Buffer): { seq: number; events: number } | null {
  if (body[0] !== 0x7b || body[2] !== 0x74 || body[6] !== 0x62) return null;
  const m = BATCH_HEAD.exec(body.subarray(0, 48).toString('latin1'));
  return m ? { seq: Number(m[1]), events: Number(m[2]) } : null;
}

/** Streams a file line by line; returns the offset just after the last complete line. */
function scanLines(fd: number, onLine: (line: Buffer, offset: number) => void): { goodEnd: number } {
  const chunk = 4 * 1024 * 1024;
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  let filePos = 0;
  const buf = Buffer.alloc(chunk);
  for (;;) {
    const n = fs.readSync(fd, buf, 0, chunk, filePos);
    if (n === 0) break;
    filePos += n;
    const data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
    let pos = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, pos);
      if (nl < 0) break;
      onLine(data.subarray(pos, nl), carryOffset + pos);
      pos = nl + 1;
    }
    carry = Buffer.from(data.subarray(pos));
    carryOffset += pos;
  }
  return { goodEnd: carryOffset };
}

/** Whether a process id on this host still runs (EPERM means it runs under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ClaimOptions {
  dir: string;
  /** Only claim files written for this gateway URL (null: any). */
  url: string | null;
  isAlive?: (pid: number) => boolean;
}

/**
 * Claims the spool files of dead processes on this host by renaming them to this process's pid. rename() is
 * atomic, so when two processes race for the same file exactly one rename succeeds; the other sees ENOENT and
 * moves on. A claimer that dies itself leaves a file named after a dead pid, which the next start claims again.
 */
export function claimOrphanSpools(opts: ClaimOptions): string[] {
  const isAlive = opts.isAlive ?? processAlive;
  const host = safeHost(os.hostname());
  let names: string[];
  try {
    names = fs.readdirSync(opts.dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const claimed: string[] = [];
  for (const name of names.sort()) {
    const parsed = parseSpoolFileName(name);
    if (!parsed || parsed.host !== host || parsed.pid === process.pid || isAlive(parsed.pid)) continue;
    const from = path.join(opts.dir, name);
    if (opts.url !== null) {
      const url = readHeaderUrl(from);
      if (url !== undefined && url !== null && url !== opts.url) continue;
    }
    const to = path.join(opts.dir, spoolFileName(host, process.pid, parsed.id));
    try {
      fs.renameSync(from, to);
      claimed.push(to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return claimed;
}

function readHeaderUrl(file: string): string | null | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const nl = buf.subarray(0, n).indexOf(0x0a);
    if (nl < 0) return undefined;
    const body = verifyLine(buf.subarray(0, nl));
    if (!body) return undefined;
    const h = JSON.parse(body.toString('utf8')) as Partial<SpoolHeader>;
    return h.t === 'h' ? (h.url ?? null) : undefined;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
