import { compareReplicationValues, defineStream, loadSchema } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { ChecklyConfig } from '../config.js';
import { checklyChecks, checklyPaginator, checkResultsLimiter } from '../checkly-checks.js';
import { resultWindows } from '../result-windows.js';

/** The partition of `check_results`: one check. */
export interface CheckPartition {
  check_id: string;
  [key: string]: unknown;
}

/**
 * `check_results`: raw results of each check, read in windows of at most six hours (the API's limit) from the
 * bookmark up to `settle_seconds` before now, oldest window first and sorted within it, so STATE is checkpointed
 * as it goes; bookmarked per check on `startedAt`.
 */
export const checkResultsStream = defineStream<ChecklyConfig, CheckPartition>({
  name: 'check_results',
  schema: loadSchema('tap-checkly', 'check_results'),
  keyProperties: ['id'],
  replicationKey: 'startedAt',
  sortedByReplicationKey: true,
  async *partitions(ctx) {
    for (const check of await checklyChecks(ctx.http, ctx.config)) yield { check_id: check.id as string };
  },
  async *records(ctx) {
    const checkId = ctx.partition!.check_id;
    const nowMs = ctx.now().getTime();
    const since = ctx.bookmark ?? ctx.startDate ?? new Date(nowMs - 86_400_000).toISOString();
    const endSeconds = Math.floor(nowMs / 1000) - ctx.config.settle_seconds;
    const limiter = checkResultsLimiter(ctx.http, ctx.config);
    for (const window of resultWindows(Date.parse(String(since)) / 1000, endSeconds)) {
      const results: JsonRecord[] = [];
      await limiter.acquire();
      for await (const page of ctx.http.pages<JsonRecord>(`v1/check-results/${encodeURIComponent(checkId)}`, {
        paginator: checklyPaginator(ctx.config),
        query: { from: window.from, to: window.to },
      })) {
        results.push(...page.items);
        // A full page means another request: it waits for the endpoint's own limit too.
        if (page.items.length === ctx.config.page_size) await limiter.acquire();
      }
      // Newest first from the API; ascending here so a checkpoint never skips a result of this window.
      results.sort((a, b) => compareReplicationValues(a.startedAt as string, b.startedAt as string) || String(a.id).localeCompare(String(b.id)));
      for (const result of results) {
        if (compareReplicationValues(result.startedAt as string, since) >= 0) yield result;
      }
    }
  },
});
