import { stringify } from 'csv-stringify/sync';
import type { BillLine } from './bill-builder.js';

/** Header of every bill file. */
export const BILL_COLUMNS = ['actor', 'groups', 'commit', 'repository'] as const;

/** A group's bill as CSV (RFC 4180: header line, `\n` line ends, fields quoted when needed; groups joined by `, `). */
export function billCsv(lines: readonly BillLine[]): string {
  return stringify(
    lines.map((l) => [l.actor, l.groups.join(', '), l.commit, l.repository]),
    { header: true, columns: [...BILL_COLUMNS], record_delimiter: 'unix' },
  );
}

/** File name of a group's bill: `<group>.csv`, a nested group's `/` written `%2F` so it stays one file of the folder. */
export function billFileName(group: string): string {
  return `${encodeURIComponent(group)}.csv`;
}
