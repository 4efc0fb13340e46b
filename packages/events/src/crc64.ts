// CRC-64-AVRO (the Rabin fingerprint of the Avro specification), over the UTF-8 bytes of a schema's
// Parsing Canonical Form. Computed once per schema, so BigInt arithmetic is fine here.
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: bigint[] = (() => {
  const table: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) {
      fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK);
    }
    table.push(fp & MASK);
  }
  return table;
})();

/** The fingerprint as the 8 little-endian bytes Avro single-object encoding puts after the 0xC3 0x01 marker. */
export function crc64Avro(text: string): Buffer {
  let fp = EMPTY;
  for (const byte of Buffer.from(text, 'utf8')) {
    fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)]!;
  }
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp & MASK);
  return out;
}
