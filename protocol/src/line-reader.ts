import { ProtocolError } from './protocol-error.js';

/** One non-blank input line. */
export interface Line {
  /** The text without its terminator (`\n` or `\r\n`) and, on line 1, without a UTF-8 BOM. */
  text: string;
  /** 1-based line number; blank lines count. */
  line: number;
}

/**
 * What to do with text that is not valid Unicode: bytes that are not UTF-8, lone surrogates, and (in
 * records, see `StreamChecker`) NUL characters, which neither Redshift nor PostgreSQL can store.
 * `fail` (the default) refuses the input naming its line; `replace` turns each bad sequence into U+FFFD
 * and reports how many it replaced, so a lossy load is always a deliberate, logged choice.
 */
export type InvalidTextPolicy = 'fail' | 'replace';

/** Options of {@link readLineBatches}. */
export interface LineReaderOptions {
  /**
   * Longest accepted line, in bytes. A longer line fails the read with a `line-too-long` error
   * instead of growing memory without bound. Default 128 MiB (Redshift's SUPER holds 16 MB per value).
   */
  maxLineBytes?: number;
  /** Invalid UTF-8 (and, for string input, lone surrogates): fail (default) or replace with U+FFFD. */
  invalidText?: InvalidTextPolicy;
  /** Told of each line whose invalid text was replaced (`invalidText: 'replace'`), with how many sequences. */
  onReplaced?: (line: number, count: number) => void;
}

/** Default {@link LineReaderOptions.maxLineBytes}. */
export const DEFAULT_MAX_LINE_BYTES = 128 * 1024 * 1024;

const NEWLINE = 0x0a;
const REPLACEMENT = '\uFFFD';

/** Whether a string of `length` UTF-16 units may exceed `max` bytes (UTF-8 takes at most 3 bytes per unit). */
function mayExceed(text: string, max: number): boolean {
  return text.length * 3 > max && Buffer.byteLength(text, 'utf8') > max;
}

function countOf(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/** Occurrences of U+FFFD's own UTF-8 encoding (EF BF BD) in `bytes`: replacement characters the input really holds. */
function genuineReplacements(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) n++;
  return n;
}

/**
 * Splits a byte stream into lines, yielding them in batches (one per input chunk) so that callers
 * pay one await per chunk, not per line. Copes with lines split across chunks, multi-byte characters
 * split across chunks, CRLF, a UTF-8 BOM and blank lines (skipped, but counted in line numbers).
 *
 * Bytes become text only line by line, once a line is complete (a newline byte is never part of a multi-byte
 * character), through a fatal UTF-8 decoder: a character split across chunks is decoded whole, and bytes that
 * are not UTF-8 fail the read with `invalid-utf8` naming their line (or, with `invalidText: 'replace'`,
 * become U+FFFD and are reported through `onReplaced`). String chunks are checked for lone surrogates the same way.
 */
export async function* readLineBatches(input: AsyncIterable<Buffer | string>, options: LineReaderOptions = {}): AsyncGenerator<Line[]> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const replace = options.invalidText === 'replace';
  // ignoreBOM keeps a BOM in the text: only line 1's is dropped (below), a U+FEFF inside the data stays.
  const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
  let lineNo = 0;
  // Bytes (or text) of the line being read, before its newline arrives.
  let carried: Buffer[] = [];
  let carriedBytes = 0;
  let pendingText = '';
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
  const pushAll = (batch: Line[], text: string) => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      push(batch, text.slice(start, nl));
      start = nl + 1;
    }
    if (start < text.length) push(batch, text.slice(start));
  };

  /** Decodes complete lines of bytes; on invalid UTF-8, finds the line and fails or replaces. */
  const decodeLines = (bytes: Uint8Array): string => {
    try {
      return fatal.decode(bytes);
    } catch {
      const parts: string[] = [];
      let start = 0;
      for (let n = 1; start < bytes.length; n++) {
        let end = bytes.indexOf(NEWLINE, start);
        end = end === -1 ? bytes.length : end + 1;
        const line = bytes.subarray(start, end);
        try {
          parts.push(fatal.decode(line));
        } catch {
          if (!replace)
            throw new ProtocolError(
              lineNo + n,
              undefined,
              'invalid-utf8',
              'line holds bytes that are not UTF-8 (set invalid_text to "replace" to load them as U+FFFD)',
            );
          const text = lenient.decode(line);
          options.onReplaced?.(lineNo + n, countOf(text, REPLACEMENT) - genuineReplacements(line));
          parts.push(text);
        }
        start = end;
      }
      return parts.join('');
    }
  };

  /** Checks complete lines of text (string input) for lone surrogates. */
  const checkText = (text: string): string => {
    if (text.isWellFormed()) return text;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].isWellFormed()) continue;
      if (!replace)
        throw new ProtocolError(
          lineNo + i + 1,
          undefined,
          'invalid-utf8',
          'line holds a lone surrogate (text that is not Unicode; set invalid_text to "replace" to load it as U+FFFD)',
        );
      const fixed = lines[i].toWellFormed();
      options.onReplaced?.(lineNo + i + 1, countOf(fixed, REPLACEMENT) - countOf(lines[i], REPLACEMENT));
      lines[i] = fixed;
    }
    return lines.join('\n');
  };

  for await (const chunk of input) {
    const batch: Line[] = [];
    if (typeof chunk === 'string') {
      const data = pendingText + chunk;
      const nl = data.lastIndexOf('\n');
      if (nl === -1) {
        pendingText = data;
        if (mayExceed(pendingText, max)) throw tooLong();
        continue;
      }
      pendingText = data.slice(nl + 1);
      pushAll(batch, checkText(data.slice(0, nl + 1)));
      if (mayExceed(pendingText, max)) throw tooLong();
    } else {
      const nl = chunk.lastIndexOf(NEWLINE);
      if (nl === -1) {
        carried.push(chunk);
        carriedBytes += chunk.length;
        if (carriedBytes > max) throw tooLong();
        continue;
      }
      const head = carried.length === 0 ? chunk.subarray(0, nl + 1) : Buffer.concat([...carried, chunk.subarray(0, nl + 1)]);
      const tail = chunk.subarray(nl + 1);
      carried = tail.length > 0 ? [tail] : [];
      carriedBytes = tail.length;
      pushAll(batch, decodeLines(head));
      if (carriedBytes > max) throw tooLong();
    }
    if (batch.length > 0) yield batch;
  }
  // The last line may lack its newline; bytes and text never mix in one stream, so only one of these holds it.
  const batch: Line[] = [];
  if (carried.length > 0) pushAll(batch, decodeLines(Buffer.concat(carried)));
  else if (pendingText.length > 0) pushAll(batch, checkText(pendingText));
  if (batch.length > 0) yield batch;
}
