import { defineStream, loadSchema } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { ChecklyConfig } from '../config.js';
import { completeDays } from '../result-windows.js';

const DAY_MS = 86_400_000;
/** Checkly computes granular reports over at most 120 buckets (and 400 days): at most 120 days a request. */
const DAYS_PER_REQUEST = 120;

/**
 * `reports`: per-check aggregates (success ratio, average, p95, p99) of each complete UTC day, bookmarked on the
 * day (final once it ended `settle_seconds` ago). One `GET /v1/reporting?granularity=day` covers up to 120 days and
 * returns each check's daily buckets (`aggregates`; days without runs are left out). Whether deactivated checks
 * are included is asked explicitly: the parameter's default changed between versions of the API (from only
 * activated checks to all), so with `reports_include_deactivated` both `deactivated=false` and `deactivated=true`
 * are requested, else only the first.
 * https://www.checklyhq.com/docs/api-reference/reporting/generates-a-report-with-aggregate-statistics-for-checks-and-check-groups
 */
export const reportsStream = defineStream<ChecklyConfig>({
  name: 'reports',
  schema: loadSchema('tap-checkly', 'reports'),
  keyProperties: ['checkId', 'day'],
  replicationKey: 'day',
  sortedByReplicationKey: true,
  async *records(ctx) {
    const nowMs = ctx.now().getTime();
    // A bookmarked day is final: resume the day after it.
    const first =
      ctx.bookmark !== undefined
        ? new Date(Date.parse(`${ctx.bookmark}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10)
        : (ctx.startDate ?? new Date(nowMs - 7 * DAY_MS).toISOString()).slice(0, 10);
    const days = completeDays(first, nowMs - ctx.config.settle_seconds * 1000);
    const flags = ctx.config.reports_include_deactivated ? [false, true] : [false];
    for (let i = 0; i < days.length; i += DAYS_PER_REQUEST) {
      const span = days.slice(i, i + DAYS_PER_REQUEST);
      const from = Date.parse(`${span[0]}T00:00:00Z`) / 1000;
      const to = Date.parse(`${span[span.length - 1]}T00:00:00Z`) / 1000 + 86_400;
      const rows: JsonRecord[] = [];
      for (const deactivated of flags) {
        for (const check of await ctx.http.get<JsonRecord[]>('v1/reporting', { from, to, granularity: 'day', deactivated })) {
          const { aggregates, aggregate: _whole, ...about } = check;
          for (const bucket of (aggregates as JsonRecord[] | undefined) ?? []) {
            const { from: start, to: _end, ...aggregate } = bucket;
            rows.push({ ...about, day: String(start).slice(0, 10), aggregate });
          }
        }
      }
      rows.sort((a, b) => String(a.day).localeCompare(String(b.day)) || String(a.checkId).localeCompare(String(b.checkId)));
      yield* rows;
    }
  },
});
