import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** A pass-through stream that hashes (sha256) and counts the bytes flowing through it, never holding them. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private digest: string | null = null;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    done();
  }

  get size(): number {
    return this.bytes;
  }

  /** The hex digest; only once the stream has ended. */
  get sha256(): string {
    if (this.digest === null) throw new Error('HashingStream: digest read before the stream ended');
    return this.digest;
  }
}
