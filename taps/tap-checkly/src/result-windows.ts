/** Raw check results are kept 30 days: no point asking further back. */
export const RESULTS_RETENTION_SECONDS = 30 * 86_400;

/** A `from` (inclusive) .. `to` (exclusive) window in unix seconds. */
export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * The consecutive windows of at most `maxSpan` seconds covering `[fromSeconds, endSeconds)`, starting no earlier
 * than the retention horizon before `endSeconds`. Empty when `fromSeconds ≥ endSeconds`.
 */
export function resultWindows(fromSeconds: number, endSeconds: number, maxSpan: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  for (let from = Math.max(Math.floor(fromSeconds), endSeconds - RESULTS_RETENTION_SECONDS); from < endSeconds; from += maxSpan) {
    windows.push({ from, to: Math.min(from + maxSpan, endSeconds) });
  }
  return windows;
}

/** The UTC days (`YYYY-MM-DD`) from `firstDay` up to the last one that ended at or before `endMs`. */
export function completeDays(firstDay: string, endMs: number): string[] {
  const days: string[] = [];
  for (let day = Date.parse(`${firstDay}T00:00:00Z`); day + 86_400_000 <= endMs; day += 86_400_000) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}
