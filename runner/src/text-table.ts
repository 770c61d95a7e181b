/** Column alignment of {@link formatTable}. */
export type Align = 'left' | 'right';

/**
 * Formats rows as a plain-text table for people (not machines): a header, a rule, one line per row.
 * Numbers are right-aligned by default so that counts line up.
 * @param headers - column titles
 * @param rows - cells; numbers are printed with `String()`
 * @param align - per-column alignment; default: right for columns whose cells are all numbers
 */
export function formatTable(headers: string[], rows: Array<Array<string | number>>, align?: Align[]): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => (row[i] ?? '').length)));
  const aligns = headers.map((_, i) => align?.[i] ?? (rows.length > 0 && rows.every((row) => typeof row[i] === 'number') ? 'right' : 'left'));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (aligns[i] === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}

/** `1 stream`, `2 streams`, `0 states`: a count with its noun in the right number. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
