/**
 * The SQL compute-bills runs, as Redshift takes it (and PostgreSQL, the test stand-in): a read-only
 * transaction, a cursor over the month's commits, fetched 1,000 rows at a time (Redshift's most per
 * FETCH on single-node clusters; the cursor keeps the month out of the job's memory all at once).
 * Pure, so the exact text is tested.
 */

/** Which column is the billing clock. */
export type MonthColumn = 'seen_at' | 'authored_at' | 'committed_at';

/** A double-quoted identifier (Redshift and PostgreSQL alike: `"` doubled). */
export function quoteIdentifier(name: string): string {
  if (name === '' || name.includes('\u0000')) throw new Error(`not an identifier: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** An instant as a literal both engines read the same way whatever the session's time zone. */
function instantLiteral(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new Error('not an instant');
  return `'${instant.toISOString().replace('T', ' ').replace('Z', '+00')}'::timestamptz`;
}

/** Name of the cursor. */
export const CURSOR = 'observes_bill_commits';
/** Rows per FETCH. */
export const FETCH_ROWS = 1000;

/** The statements, in order: open, declare, fetch (repeated until a short batch), close. */
export interface CommitsQuery {
  begin: string;
  declare: string;
  fetch: string;
  close: string;
}

/**
 * The month's commits, `[start, end)` on `column`. Bounds are literals rather than parameters:
 * DECLARE is a utility statement, which takes no bind parameters; they come from Date objects only.
 */
export function commitsQuery(schema: string, table: string, column: MonthColumn, start: Date, end: Date): CommitsQuery {
  const at = quoteIdentifier(column);
  return {
    begin: 'BEGIN READ ONLY',
    declare:
      `DECLARE ${CURSOR} CURSOR FOR SELECT namespace, repository, hash, author_name, author_email, ${at} AS billed_at ` +
      `FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table)} WHERE ${at} >= ${instantLiteral(start)} AND ${at} < ${instantLiteral(end)}`,
    fetch: `FETCH FORWARD ${FETCH_ROWS} FROM ${CURSOR}`,
    close: `CLOSE ${CURSOR}`,
  };
}
