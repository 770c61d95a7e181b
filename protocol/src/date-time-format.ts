/**
 * Date and time checks shared by record validation (the `date-time`, `date` and `time` formats) and the
 * targets (which store only values these accept in timestamp, date and time columns). Stricter than a
 * shape regex: the calendar must exist (no February 30), the year is 0001–9999 (Redshift and PostgreSQL
 * refuse year 0), hours 00–23, seconds 00–59, offsets within ±15:59. Unlike RFC 3339 the zone is optional:
 * a naive date-time is read as UTC (the warehouse sessions run in UTC).
 * @module
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(z|[+-](\d{2})(?::?(\d{2}))?)?$/i;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DAYS[month - 1]) return false;
  return month !== 2 || day < 29 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
}

/** The parts of a time of day, or undefined when it is not one. */
function parseTime(text: string): { fraction: string; offsetMinutes: number | undefined } | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  if (Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 59) return undefined;
  let offsetMinutes: number | undefined;
  if (m[5] !== undefined) {
    if (m[5] === 'z' || m[5] === 'Z') offsetMinutes = 0;
    else {
      const hours = Number(m[6]);
      const minutes = Number(m[7] ?? 0);
      if (hours > 15 || minutes > 59) return undefined;
      offsetMinutes = hours * 60 + minutes;
    }
  }
  return { fraction: m[4] ?? '', offsetMinutes };
}

/** `YYYY-MM-DD` of a date that exists, year 0001–9999. */
export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** `YYYY-MM-DD(T| )HH:MM:SS[.fraction][Z|±HH[:MM]]`: a real calendar date and time, zone optional (naive means UTC). */
export function isDateTime(text: string): boolean {
  const sep = text.charCodeAt(10);
  return text.length >= 19 && (sep === 84 || sep === 116 || sep === 32) && isDate(text.slice(0, 10)) && parseTime(text.slice(11)) !== undefined;
}

/** `HH:MM:SS[.fraction][Z|±HH[:MM]]`, zone optional. */
export function isTime(text: string): boolean {
  return parseTime(text) !== undefined;
}

/**
 * Whether a warehouse column stores the value without changing it: the warehouses keep microseconds, so
 * more fraction digits must be zeros; a time column keeps no zone, so a time must be naive or UTC.
 */
export function storesExactly(kind: 'timestamp' | 'date' | 'time', text: string): boolean {
  switch (kind) {
    case 'date':
      return isDate(text);
    case 'timestamp':
      return isDateTime(text) && microseconds(parseTime(text.slice(11))!.fraction);
    case 'time': {
      const time = parseTime(text);
      return time !== undefined && microseconds(time.fraction) && (time.offsetMinutes ?? 0) === 0;
    }
  }
}

function microseconds(fraction: string): boolean {
  return fraction.length <= 6 || /^0*$/.test(fraction.slice(6));
}
