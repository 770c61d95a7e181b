import type { TimedoctorConfig } from './config.js';
import { addMonths, daysBefore, monthOf, monthWindow, parseDayOrInstant, type DateWindow } from './date-windows.js';

type RangeConfig = Pick<TimedoctorConfig, 'start_date' | 'end_date' | 'month' | 'lookback_days' | 'api_history_months'>;

/** First instant of the oldest month the API serves in full, by `api_history_months`. */
export function apiWindowStart(config: RangeConfig, now: Date): Date {
  return monthWindow(addMonths(monthOf(now), -(config.api_history_months - 1))).from;
}

function endOf(config: RangeConfig, now: Date): Date {
  const end = config.end_date ? parseDayOrInstant(config.end_date) : now;
  return end > now ? now : end;
}

/**
 * What an incremental run reads: from `lookback_days` before the bookmark (never before `start_date`), or from
 * `start_date` (default: the start of the API's window) on a first run; until `end_date` or now.
 */
export function incrementalRange(config: RangeConfig, now: Date, bookmark: string | number | undefined): DateWindow {
  const start = config.start_date ? parseDayOrInstant(config.start_date) : apiWindowStart(config, now);
  let from = start;
  if (bookmark !== undefined) {
    const resume = daysBefore(new Date(String(bookmark)), config.lookback_days);
    if (Number.isNaN(resume.getTime())) throw new Error(`the bookmark ${JSON.stringify(bookmark)} is not a date`);
    if (resume > from) from = resume;
  }
  return { from, to: endOf(config, now) };
}

/**
 * What a full-table run reads: the whole `month` (a backup; until now for the current month), or from `start_date`
 * (default: the oldest backup's month or the API window's start, whichever is older) until `end_date` or now.
 */
export function fullTableRange(config: RangeConfig, now: Date, oldestBackupMonth?: string): DateWindow {
  if (config.month) {
    const month = monthWindow(config.month);
    if (month.from >= now) throw new Error(`month ${config.month} has not started yet`);
    return { from: month.from, to: month.to > now ? now : month.to };
  }
  const apiStart = apiWindowStart(config, now);
  const backupStart = oldestBackupMonth === undefined ? apiStart : monthWindow(oldestBackupMonth).from;
  const from = config.start_date ? parseDayOrInstant(config.start_date) : backupStart < apiStart ? backupStart : apiStart;
  return { from, to: endOf(config, now) };
}
