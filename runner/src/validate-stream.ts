import { parseMessage, ProtocolError, readLineBatches, StreamChecker, type StreamSummary } from '@observes/protocol';

/** Options of {@link validateStream}. */
export interface ValidateStreamOptions {
  /**
   * Keep going after an error and collect every one (default false: stop at the first).
   * A line whose envelope is broken is skipped; a record that breaks its schema is not counted.
   */
  all?: boolean;
  /** Longest accepted line in bytes (see the protocol's `maxLineBytes`); a longer line always stops the check. */
  maxLineBytes?: number;
}

/** What {@link validateStream} found. */
export interface ValidateStreamResult {
  /** Counts per stream, in order of first appearance. */
  streams: StreamSummary[];
  /** STATE messages seen. */
  states: number;
  /** Errors, in line order (at most one unless `all`). */
  errors: ProtocolError[];
}

/**
 * Checks a Singer stream end to end: envelopes, message order, key properties and each record against
 * its schema. Lines are parsed one by one (not through `readMessageBatches`) so that `all` can go on
 * past a broken line.
 */
export async function validateStream(input: AsyncIterable<Buffer | string>, options: ValidateStreamOptions = {}): Promise<ValidateStreamResult> {
  const checker = new StreamChecker();
  const errors: ProtocolError[] = [];
  const result = () => ({ streams: checker.summary(), states: checker.states, errors });
  try {
    for await (const lines of readLineBatches(input, { maxLineBytes: options.maxLineBytes })) {
      for (const { text, line } of lines) {
        try {
          checker.check({ line, message: parseMessage(text, line), size: text.length });
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          errors.push(error);
          if (!options.all) return result();
        }
      }
    }
  } catch (error) {
    // The line reader cannot resume after an over-long line: report it and stop.
    if (!(error instanceof ProtocolError)) throw error;
    errors.push(error);
  }
  return result();
}
