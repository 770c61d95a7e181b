import { compareReplicationValues, cursorPaginator, defineStream, loadSchema } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { ChecklyConfig } from '../config.js';
import { checklyChecks } from '../checkly-checks.js';
import type { ChecklyCheckResult } from '../checkly-records.js';
import { resultWindows } from '../result-windows.js';

/** The partition of `check_results`: one check. */
export interface CheckPartition {
  check_id: string;
  [key: string]: unknown;
}

/** `nextId` of a v2 page: `null` (documented as "set to null", so the text too) on the last page. */
const nextIdOf = (body: { nextId?: string | null }) => (body.nextId === 'null' ? null : body.nextId);

/**
 * `check_results`: raw results of each check from `GET /v2/check-results/{checkId}` (v1 is deprecated), read in
 * windows of `results_window_hours` from the bookmark up to `settle_seconds` before now, each window walked in full
 * with the `nextId` cursor, then sorted by `startedAt` and emitted, so STATE is checkpointed as windows go;
 * bookmarked per check on `startedAt`. `resultType` is always sent (`result_type`): Checkly's default keeps only
 * final results. Windows of a deactivated check stop at its deactivation.
 * https://www.checklyhq.com/docs/api-reference/check-results/lists-all-check-results-1
 */
export const checkResultsStream = defineStream<ChecklyConfig, CheckPartition>({
  name: 'check_results',
  schema: loadSchema('tap-checkly', 'check_results'),
  keyProperties: ['id'],
  replicationKey: 'startedAt',
  sortedByReplicationKey: true,
  async *partitions(ctx) {
    for (const check of await checklyChecks(ctx.http, ctx.config)) yield { check_id: check.id };
  },
  async *records(ctx) {
    const checkId = ctx.partition!.check_id;
    const nowMs = ctx.now().getTime();
    const since = ctx.bookmark ?? ctx.startDate ?? new Date(nowMs - 86_400_000).toISOString();
    const check = (await checklyChecks(ctx.http, ctx.config)).find((c) => c.id === checkId);
    const endSeconds = Math.min(Math.floor(nowMs / 1000) - ctx.config.settle_seconds, deactivatedEnd(check));
    const paginator = cursorPaginator({ param: 'nextId', nextCursor: nextIdOf, sizeParam: 'limit', size: ctx.config.page_size });
    for (const window of resultWindows(Date.parse(String(since)) / 1000, endSeconds, ctx.config.results_window_hours * 3600)) {
      const results = new Map<string, ChecklyCheckResult>();
      const listing = ctx.http.paginate<ChecklyCheckResult>(`v2/check-results/${encodeURIComponent(checkId)}`, {
        paginator,
        items: (body) => body.entries,
        query: { from: window.from, to: window.to, resultType: ctx.config.result_type },
      });
      // A result written late during the walk may shift the pages and repeat one: keep each id once.
      for await (const result of listing) results.set(result.id, result);
      // Newest first from the API; ascending here so a checkpoint never skips a result of this window.
      const sorted = [...results.values()].sort((a, b) => compareReplicationValues(a.startedAt, b.startedAt) || a.id.localeCompare(b.id));
      for (const result of sorted) {
        // Results started exactly at the bookmark come again (at-least-once; targets merge on id).
        if (compareReplicationValues(result.startedAt, since) >= 0) yield withTextTargets(result);
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
  if (check?.activated !== false || typeof check.updated_at !== 'string') return Infinity;
  return Math.floor(Date.parse(check.updated_at) / 1000) + 3600;
}

/** Assertion targets come as numbers (`200`) in results and as text in check definitions: always text here. */
function withTextTargets(result: JsonRecord): JsonRecord {
  const api = result.apiCheckResult as JsonRecord | null | undefined;
  if (!api || !Array.isArray(api.assertions)) return result;
  const assertions = (api.assertions as JsonRecord[]).map((a) => (a.target === null || a.target === undefined ? a : { ...a, target: String(a.target) }));
  return { ...result, apiCheckResult: { ...api, assertions } };
}
