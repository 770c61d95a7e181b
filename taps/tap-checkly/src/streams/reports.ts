import { defineStream, loadSchema } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { ChecklyConfig } from '../config.js';
import { completeDays } from '../result-windows.js';

const DAY_MS = 86_400_000;

/**
 * `reports`: per-check aggregates (success ratio, average, p95, p99) of each complete UTC day, from `/v1/reporting`
 * with `from`/`to`; bookmarked on the day, a day being final once it ended `settle_seconds` ago.
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
    const first = ctx.bookmark !== undefined
      ? new Date(Date.parse(`${ctx.bookmark}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10)
      : (ctx.startDate ?? new Date(nowMs - 7 * DAY_MS).toISOString()).slice(0, 10);
    for (const day of completeDays(first, nowMs - ctx.config.settle_seconds * 1000)) {
      const from = Date.parse(`${day}T00:00:00Z`) / 1000;
      const rows = await ctx.http.get<JsonRecord[]>('v1/reporting', { from, to: from + 86_400 });
      for (const row of rows) yield { ...row, day };
    }
  },
});
