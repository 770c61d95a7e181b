import { StringDecoder } from 'node:string_decoder';
import { ProtocolError } from './protocol-error.js';

/** One non-blank input line. */
export interface Line {
  /** The text without its terminator (`\n` or `\r\n`) and, on line 1, without a UTF-8 BOM. */
  text: string;
  /** 1-based line number; blank lines count. */
  line: number;
}

/** Options of {@link readLineBatches}. */
export interface LineReaderOptions {
  /**
   * Longest accepted line, in bytes. A longer line fails the read with a `line-too-long` error
   * instead of growing memory without bound. Default 128 MiB (Redshift's SUPER holds 16 MB per value).
   */
  maxLineBytes?: number;
}

/** Default {@link LineReaderOptions.maxLineBytes}. */
export const DEFAULT_MAX_LINE_BYTES = 128 * 1024 * 1024;

/** Whether a string of `length` UTF-16 units may exceed `max` bytes (UTF-8 takes at most 3 bytes per unit). */
function mayExceed(text: string, max: number): boolean {
  return text.length * 3 > max && Buffer.byteLength(text, 'utf8') > max;
}

/**
 * Splits a byte stream into lines, yielding them in batches (one per input chunk) so that callers
 * pay one await per chunk, not per line. Copes with lines split across chunks, multi-byte characters
 * split across chunks, CRLF, a UTF-8 BOM and blank lines (skipped, but counted in line numbers).
 */
export async function* readLineBatches(input: AsyncIterable<Buffer | string>, options: LineReaderOptions = {}): AsyncGenerator<Line[]> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNo = 0;
  const tooLong = () => new ProtocolError(lineNo + 1, undefined, 'line-too-long', `line is longer than the maximum of ${max} bytes (maxLineBytes)`);
  const push = (batch: Line[], raw: string) => {
    lineNo++;
    let text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return;
    if (mayExceed(text, max)) {
      lineNo--;
      throw tooLong();
    }
    batch.push({ text, line: lineNo });
  };
  for await (const chunk of input) {
    const data = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const batch: Line[] = [];
    let start = 0;
    let nl = data.indexOf('\n');
    while (nl !== -1) {
      push(batch, data.slice(start, nl));
      start = nl + 1;
      nl = data.indexOf('\n', start);
    }
    pending = start === 0 ? data : data.slice(start);
    if (mayExceed(pending, max)) throw tooLong();
    if (batch.length > 0) yield batch;
  }
  pending += decoder.end();
  if (pending.length > 0) {
    const batch: Line[] = [];
    push(batch, pending);
    if (batch.length > 0) yield batch;
  }
}
