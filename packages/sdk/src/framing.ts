import { crc32 } from 'node:zlib';

/**
 * Spool records are lines: 8 hex digits of CRC-32 over the JSON text, a space, the JSON text, "\n".
 * A crash mid-append leaves a last line without its newline (or with a wrong checksum, or zero-filled after a
 * power loss); the reader detects it and skips it instead of replaying garbage or failing the whole file.
 */
export function encodeRecord(value: unknown): Buffer {
  return encodeRecordText(JSON.stringify(value));
}

/** Frames JSON text that is already serialized (must be one line: JSON.stringify output always is). */
export function encodeRecordText(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const head = Buffer.from(crc32(body).toString(16).padStart(8, '0') + ' ', 'ascii');
  return Buffer.concat([head, body, NEWLINE]);
}

const NEWLINE = Buffer.from('\n', 'ascii');

export interface DecodedRecord {
  value: unknown;
  /** Byte offset and length (including the newline) of the record in the file. */
  offset: number;
  length: number;
}

export interface DecodeResult {
  records: DecodedRecord[];
  /** Complete lines whose checksum or JSON did not verify (skipped). */
  corrupt: number;
  /** Bytes at the end that never got their newline: a write torn by a crash (skipped). */
  tornTailBytes: number;
}

export function decodeRecords(buf: Buffer): DecodeResult {
  const records: DecodedRecord[] = [];
  let corrupt = 0;
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const value = decodeLine(buf.subarray(pos, nl));
    if (value === INVALID) corrupt++;
    else records.push({ value, offset: pos, length: nl + 1 - pos });
    pos = nl + 1;
  }
  return { records, corrupt, tornTailBytes: buf.length - pos };
}

/** Decodes one record read back at a known offset; throws if it no longer verifies. */
export function decodeRecordAt(buf: Buffer): unknown {
  const end = buf.length > 0 && buf[buf.length - 1] === 0x0a ? buf.length - 1 : buf.length;
  const value = decodeLine(buf.subarray(0, end));
  if (value === INVALID) throw new Error('spool record failed its checksum');
  return value;
}

const INVALID = Symbol('invalid');

/** The JSON text of a line (without its newline) if the checksum verifies, else null. */
export function verifyLine(line: Buffer): Buffer | null {
  if (line.length < 10 || line[8] !== 0x20) return null;
  const head = line.subarray(0, 8).toString('ascii');
  if (!/^[0-9a-f]{8}$/.test(head)) return null;
  const body = line.subarray(9);
  return crc32(body) === Number.parseInt(head, 16) ? body : null;
}

function decodeLine(line: Buffer): unknown {
  const body = verifyLine(line);
  if (body === null) return INVALID;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return INVALID;
  }
}
