/** A string format that schema inference recognises. */
export type StringFormat = 'date-time' | 'date';

// Only timestamps with a zone (and the RFC 3339 "T", which ajv's fast format check requires) count as date-time: a naive "2024-01-02T03:04:05" would be read in some
// unknown zone downstream, so it stays a plain string. Both patterns are stricter than ajv's, so a value
// detected here always passes the `format` check of the schema it produced.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one.
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The format a string value has, if any: RFC 3339 `date-time` with a zone, or a calendar `date`.
 * Pure; used per value by schema inference.
 */
export function detectStringFormat(value: string): StringFormat | undefined {
  // Cheap length gate: a date is 10 characters, a date-time at least 20.
  if (value.length === 10) {
    const m = DATE.exec(value);
    return m && isCalendarDate(+m[1], +m[2], +m[3]) ? 'date' : undefined;
  }
  if (value.length < 20) return undefined;
  const m = DATE_TIME.exec(value);
  if (!m || !isCalendarDate(+m[1], +m[2], +m[3])) return undefined;
  if (+m[4] > 23 || +m[5] > 59 || +m[6] > 59) return undefined;
  if (m[7] !== undefined && (+m[7] > 23 || +m[8] > 59)) return undefined;
  return 'date-time';
}
