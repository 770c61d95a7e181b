import { addMonths, monthOf, monthsBetween, monthWindow, type DateWindow } from './date-windows.js';

/** Where a full refresh takes one month of activity from. */
export interface MonthSource {
  month: string;
  /** `api` for months the API still serves (and for older months nobody backed up), `backup` otherwise. */
  source: 'api' | 'backup';
  /** The part of the month to take: the month, clipped to the refresh's range. */
  window: DateWindow;
  /** An `api` month older than the API's window: it had no backup, so the API is asked anyway. */
  beyondApiWindow: boolean;
}

/** Inputs of {@link planRefresh}. */
export interface RefreshPlanInput {
  /** The refresh's range `[from, to)`. */
  range: DateWindow;
  /** Months, the current one included, the API serves in full. */
  apiHistoryMonths: number;
  /** Months with a complete backup. */
  backupMonths: ReadonlySet<string>;
  /** The run's clock. */
  now: Date;
}

/**
 * Decides, month by month, where a full refresh takes activity from: the API for the `apiHistoryMonths` latest
 * months (a month present in both comes from the API), the backup for older ones, and the API for older months
 * without a backup (which it may no longer serve). Pure; months are disjoint, so a record is taken once.
 */
export function planRefresh(input: RefreshPlanInput): MonthSource[] {
  const { range } = input;
  if (range.from >= range.to) return [];
  const apiFirst = addMonths(monthOf(input.now), -(input.apiHistoryMonths - 1));
  const last = monthOf(new Date(range.to.getTime() - 1));
  return monthsBetween(monthOf(range.from), last).map((month) => {
    const whole = monthWindow(month);
    const window = { from: whole.from < range.from ? range.from : whole.from, to: whole.to > range.to ? range.to : whole.to };
    const recent = month >= apiFirst;
    const source = recent || !input.backupMonths.has(month) ? 'api' : 'backup';
    return { month, source, window, beyondApiWindow: source === 'api' && !recent };
  });
}
