import { isExactNumber, serializeJson } from '@observes/protocol';
import { plainDecimal } from '@observes/target-core';

/** The NULL marker of our CSV files (unquoted); a string spelled the same way is quoted, so it stays a string. */
export const CSV_NULL = '\\N';

const NEEDS_QUOTES = /[",\r\n]|^\\N$|^$|^\s|\s$/;

/** One CSV cell: NULL as an unquoted `\N`, JSON values as their JSON text, exact numbers as their text. Hand-written because it runs per cell. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return CSV_NULL;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number') return plainDecimal(String(value));
  else if (typeof value === 'boolean') return String(value);
  else if (isExactNumber(value)) return plainDecimal(value.value);
  else text = serializeJson(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text, in chunks of about `chunkChars` characters, so a big batch streams without one giant string. */
export function* csvChunks(rows: unknown[][], chunkChars = 1 << 20): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : ',') + csvCell(row[i]);
    line += '\n';
    parts.push(line);
    size += line.length;
    if (size >= chunkChars) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}
