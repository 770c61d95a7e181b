import { readLineBatches, type LineReaderOptions } from './line-reader.js';
import type { ReadMessage } from './messages.js';
import { parseMessage } from './parse-message.js';

/**
 * Reads Singer messages from a byte stream in batches (one per input chunk), each with its line number.
 * Envelope errors throw {@link ProtocolError}; records are not checked against schemas here (see StreamChecker).
 */
export async function* readMessageBatches(input: AsyncIterable<Buffer | string>, options: LineReaderOptions = {}): AsyncGenerator<ReadMessage[]> {
  for await (const lines of readLineBatches(input, options)) {
    const out: ReadMessage[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const { text, line } = lines[i];
      out[i] = { line, message: parseMessage(text, line), size: text.length, escaped: text.includes('\\u') };
    }
    yield out;
  }
}

/** Reads Singer messages one at a time. Convenient; {@link readMessageBatches} is faster on big streams. */
export async function* readMessages(input: AsyncIterable<Buffer | string>, options: LineReaderOptions = {}): AsyncGenerator<ReadMessage> {
  for await (const batch of readMessageBatches(input, options)) yield* batch;
}
