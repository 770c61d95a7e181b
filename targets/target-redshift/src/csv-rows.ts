import { isExactNumber, serializeJson } from '@observes/protocol';
import { plainDecimal } from '@observes/target-core';

/** The NULL marker of our CSV files (unquoted); a string spelled the same way is quoted, so it stays a string. */
export const CSV_NULL = '\\N';

const SPECIAL = /[",\r\n]/;
const WHITESPACE = /\s/;

/** Whether a UTF-16 unit is JavaScript `\s` whitespace (ASCII decided by code; only non-ASCII asks the regex). */
function isSpace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return WHITESPACE.test(String.fromCharCode(code));
}

/**
 * Whether a cell's text must be quoted: it holds a quote, comma or line break, is empty, is spelled like
 * the NULL marker, or starts or ends with whitespace (COPY would keep it, other readers trim it).
 * Checked by hand at the ends: a `\s$` regex tries every position of the text.
 */
function needsQuotes(text: string): boolean {
  const n = text.length;
  return n === 0 || isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(n - 1)) || text === CSV_NULL || SPECIAL.test(text);
}

/**
 * One CSV cell: NULL as an unquoted `\N`, objects and lists as their JSON text, exact numbers as their text.
 * In a json column (`json`), every value is its JSON text, so a string `abc` becomes `"abc"` and stays valid JSON.
 * Hand-written because it runs per cell.
 */
export function csvCell(value: unknown, json = false): string {
  if (value === null || value === undefined) return CSV_NULL;
  let text: string;
  if (json) text = serializeJson(value);
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'number') return plainDecimal(String(value));
  else if (typeof value === 'boolean') return value ? 'true' : 'false';
  else if (isExactNumber(value)) return plainDecimal(value.value);
  else text = serializeJson(value);
  return needsQuotes(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Options of {@link csvChunks}. */
export interface CsvChunkOptions {
  /** Size of a chunk, in characters. Default 1 Mi. */
  chunkChars?: number;
  /** Which columns (by position) hold json values: their cells are always JSON text. */
  json?: readonly boolean[];
}

/** Rows as CSV text, in chunks of about `chunkChars` characters, so a big batch streams without one giant string. */
export function* csvChunks(rows: unknown[][], options: CsvChunkOptions = {}): Generator<string> {
  const chunkChars = options.chunkChars ?? 1 << 20;
  const json = options.json ?? [];
  let chunk = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) chunk += (i === 0 ? '' : ',') + csvCell(row[i], json[i] === true);
    chunk += '\n';
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
