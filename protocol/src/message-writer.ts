import type { Writable } from 'node:stream';
import { serializeJson } from './exact-number.js';
import type { Message } from './messages.js';

/** Serializes one message as a JSON line (with its `\n`), keeping {@link ExactNumber}s exact. */
export function formatMessage(message: Message): string {
  return serializeJson(message) + '\n';
}

/**
 * Writes Singer messages as JSON lines and honours backpressure: `write` resolves at once while the
 * destination's buffer has room and waits for `drain` when it is full, so a slow reader bounds memory.
 */
export class MessageWriter {
  private readonly out: Writable;
  private failure: Error | undefined;

  /** @param out - destination, usually `process.stdout` */
  constructor(out: Writable) {
    this.out = out;
    out.on('error', (error: Error) => {
      this.failure = error;
    });
  }

  /** Writes one message; await it to respect backpressure. */
  async write(message: Message): Promise<void> {
    await this.writeRaw(formatMessage(message));
  }

  /** Writes already-formatted JSON lines (each ending in `\n`). */
  async writeRaw(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.out.write(text)) await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        this.out.off('drain', onDrain);
        this.out.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(this.failure ?? new Error('output closed while writing'));
      this.out.on('drain', onDrain);
      this.out.on('close', onClose);
    });
  }

  /** Ends the destination and waits until everything was flushed. */
  async end(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.out === process.stdout || this.out === process.stderr) {
      // stdout must not be closed by us, only drained.
      if (this.out.writableNeedDrain) await this.drained();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.out.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }
}
