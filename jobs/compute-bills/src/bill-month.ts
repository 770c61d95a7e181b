/** The month a bill covers, and where its files go. All in UTC. */
export interface BillMonth {
  /** `YYYY-MM`. */
  month: string;
  /** First instant of the month (inclusive). */
  start: Date;
  /** First instant of the next month (exclusive). */
  end: Date;
  /**
   * The day the dated copy is filed under: today while the month runs, its last day once it is over
   * (so rerunning a closed month replaces its final copy instead of overwriting a day of the month
   * being billed now).
   */
  asOf: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Resolves the `month` setting: `current`, `previous` or `YYYY-MM`, relative to `now` (UTC).
 * @throws for a month after the current one (nothing to bill yet) or a malformed value
 */
export function resolveBillMonth(setting: string, now: Date): BillMonth {
  let year: number;
  let month: number; // 1-12
  if (setting === 'current' || setting === 'previous') {
    year = now.getUTCFullYear();
    month = now.getUTCMonth() + 1 - (setting === 'previous' ? 1 : 0);
    if (month === 0) [year, month] = [year - 1, 12];
  } else {
    const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(setting);
    if (!match) throw new Error(`month "${setting}" is not current, previous or YYYY-MM`);
    [year, month] = [Number(match[1]), Number(match[2])];
  }
  const start = new Date(Date.UTC(year, month - 1, 1));
  const end = new Date(Date.UTC(year, month, 1));
  if (start.getTime() > now.getTime()) throw new Error(`month ${year}-${pad(month)} has not started yet (now is ${now.toISOString()})`);
  const asOfDate = now.getTime() < end.getTime() ? now : new Date(end.getTime() - 86_400_000);
  return { month: `${year}-${pad(month)}`, start, end, asOf: `${year}-${pad(month)}-${pad(asOfDate.getUTCDate())}` };
}

/** The two folders of a month's bills: `<prefix><YYYY>/<MM>/` and the dated `<prefix><YYYY>/<MM>/<DD>/`. */
export function billFolders(month: BillMonth, prefix: string): { monthly: string; dated: string } {
  const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  const [year, mm, dd] = month.asOf.split('-');
  return { monthly: `${base}${year}/${mm}/`, dated: `${base}${year}/${mm}/${dd}/` };
}
