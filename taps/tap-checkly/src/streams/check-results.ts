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
 * as it goes; bookmarked per check on `startedAt`. Windows of a deactivated check stop at its deactivation.
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
    const check = (await checklyChecks(ctx.http, ctx.config)).find((c) => c.id === checkId);
    const endSeconds = Math.min(Math.floor(nowMs / 1000) - ctx.config.settle_seconds, deactivatedEnd(check));
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
      // Newest first from the API; ascending here so a checkpoint never skips a result of this window. A result
      // written late during the walk shifts the pages and repeats one: keep each id once.
      const unique = [...new Map(results.map((r) => [r.id, r])).values()];
      unique.sort((a, b) => compareReplicationValues(a.startedAt as string, b.startedAt as string) || String(a.id).localeCompare(String(b.id)));
      for (const result of unique) {
        if (compareReplicationValues(result.startedAt as string, since) >= 0) yield withTextTargets(result);
      }
    }
  },
});

/**
 * A deactivated check runs no more: its results end when it was deactivated (its last update), plus an hour for
 * runs under way. Reading no further keeps its bookmark, which no new result moves, from costing windows up to now
 * on every run.
 */
function deactivatedEnd(check: JsonRecord | undefined): number {
  if (!check || check.activated !== false || typeof check.updated_at !== 'string') return Infinity;
  return Math.floor(Date.parse(check.updated_at) / 1000) + 3600;
}

/** Assertion targets come as numbers (`200`) in results and as text in check definitions: always text here. */
function withTextTargets(result: JsonRecord): JsonRecord {
  const api = result.apiCheckResult as JsonRecord | null | undefined;
  if (!api || !Array.isArray(api.assertions)) return result;
  const assertions = (api.assertions as JsonRecord[]).map((a) => (a.target === null || a.target === undefined ? a : { ...a, target: String(a.target) }));
  return { ...result, apiCheckResult: { ...api, assertions } };
}
