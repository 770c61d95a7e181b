import { Readable, Writable } from 'node:stream';

/** A Writable collecting what it gets as text (tests inspect what a tap or command wrote). */
export class TextSink extends Writable {
  private readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    done();
  }

  /** Everything written so far. */
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** A Readable yielding `text` in chunks of `chunkSize` characters (to exercise lines split across chunks). */
export function textSource(text: string, chunkSize = 64 * 1024): Readable {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += chunkSize) chunks.push(text.slice(i, i + chunkSize));
  return Readable.from(chunks);
}
