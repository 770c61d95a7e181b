/** A half-open UTC interval `[from, to)`. */
export interface DateWindow {
  from: Date;
  to: Date;
}

const DAY_MS = 86_400_000;

/** `2026-05-01` as UTC midnight; an instant with its zone as itself. */
export function parseDayOrInstant(text: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${JSON.stringify(text)}`);
  return date;
}

/** `YYYY-MM` of a date's UTC month. */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** `YYYY-MM` shifted by `n` months. */
export function addMonths(month: string, n: number): string {
  const [year, m] = month.split('-').map(Number);
  return monthOf(new Date(Date.UTC(year, m - 1 + n, 1)));
}

/** The UTC interval of a `YYYY-MM` month. */
export function monthWindow(month: string): DateWindow {
  const from = new Date(`${month}-01T00:00:00Z`);
  return { from, to: new Date(`${addMonths(month, 1)}-01T00:00:00Z`) };
}

/** Months from `first` to `last`, both included, in order. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let month = first; month <= last; month = addMonths(month, 1)) months.push(month);
  return months;
}

/**
 * Splits `[from, to)` into request windows of at most `days` days that never cross a UTC month boundary and start at
 * the month's first day plus a multiple of `days` (then clipped to `[from, to)`), so every run asks for the same
 * windows and a month's records come from that month's windows only.
 */
export function dateWindows(range: DateWindow, days: number): DateWindow[] {
  const windows: DateWindow[] = [];
  let cursor = range.from;
  while (cursor < range.to) {
    const month = monthWindow(monthOf(cursor));
    const step = days * DAY_MS;
    const slot = Math.floor((cursor.getTime() - month.from.getTime()) / step);
    const slotEnd = new Date(Math.min(month.from.getTime() + (slot + 1) * step, month.to.getTime(), range.to.getTime()));
    windows.push({ from: cursor, to: slotEnd });
    cursor = slotEnd;
  }
  return windows;
}

/** The API's date format: ISO 8601 in UTC, to the second (`2026-05-01T00:00:00Z`). */
export function apiTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `date` minus `days` days. */
export function daysBefore(date: Date, days: number): Date {
  return new Date(date.getTime() - days * DAY_MS);
}
