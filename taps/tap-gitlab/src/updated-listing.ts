import type { HttpClient, Query } from '@observes/tap-sdk';
import type { UpdatedObject } from './gitlab-records.js';
import { updatedAfterPaginator } from './updated-after-paginator.js';

/** Options of {@link updatedListing}. */
export interface UpdatedListingOptions {
  /** Items updated at or after this instant (ISO 8601); all when absent. */
  since?: string;
  /** Only items updated strictly before this instant (GitLab's `updated_before`). */
  before?: string;
  /** Page size. */
  perPage: number;
  /**
   * One query per listing merged into the walk, e.g. `[{}, { source: 'parent_pipeline' }]`: child pipelines are
   * listed only when asked for by source. Default one listing.
   */
  listings?: Query[];
}

/**
 * The items of a GitLab list that filters on `updated_after` and sorts on `updated_at` (pipelines, merge requests,
 * issues), oldest update first, each (id, updated_at) once, from one or several listings merged in order.
 *
 * The query starts one second before `since` (pipelines compare `updated_after` with `>`, issues and merge requests
 * with `≥`) and items before `since` are dropped, so an item updated at that very instant is not missed. Pages are
 * walked by moving `updated_after` (see {@link updatedAfterPaginator}), which an update during the walk cannot
 * make skip an item.
 * @typeParam T - the listing's objects (default: only what every such listing has)
 */
export async function* updatedListing<T extends UpdatedObject = UpdatedObject>(
  http: HttpClient,
  path: string,
  options: UpdatedListingOptions,
): AsyncGenerator<T> {
  const sinceMs = options.since === undefined ? -Infinity : Date.parse(options.since);
  const updatedAfter = options.since === undefined ? undefined : new Date(sinceMs - 1000).toISOString();
  const walks = (options.listings ?? [{}]).map((extra) =>
    http.paginate<T>(path, {
      paginator: updatedAfterPaginator(options.perPage),
      query: { ...extra, order_by: 'updated_at', sort: 'asc', updated_after: updatedAfter, updated_before: options.before },
    }),
  );
  let maxMs = -Infinity;
  let idsAtMax = new Set<unknown>();
  for await (const item of mergeByUpdate(walks)) {
    const updatedMs = Date.parse(item.updated_at);
    // ≥ since (at-least-once), and each (id, updated_at) once although the paginator asks twice at page edges.
    if (updatedMs < sinceMs || updatedMs < maxMs || (updatedMs === maxMs && idsAtMax.has(item.id))) continue;
    if (updatedMs > maxMs) {
      maxMs = updatedMs;
      idsAtMax = new Set();
    }
    idsAtMax.add(item.id);
    yield item;
  }
}

/** Merges walks each sorted by `updated_at` (then id) into one sorted walk, reading each only as far as needed. */
async function* mergeByUpdate<T extends UpdatedObject>(walks: AsyncGenerator<T>[]): AsyncGenerator<T> {
  if (walks.length === 1) return yield* walks[0];
  const key = (item: UpdatedObject) => Date.parse(item.updated_at);
  try {
    // Every first page settles before a failure is thrown: a walk left running after another failed would go on
    // requesting and retrying behind the error.
    const first = await Promise.allSettled(walks.map((walk) => walk.next()));
    const failed = first.find((head) => head.status === 'rejected');
    if (failed) throw failed.reason;
    const heads = first.map((head) => (head as PromiseFulfilledResult<IteratorResult<T>>).value);
    for (;;) {
      let pick = -1;
      heads.forEach((head, i) => {
        if (head.done) return;
        const best = pick < 0 ? undefined : (heads[pick].value as T);
        const item = head.value;
        if (!best || key(item) < key(best) || (key(item) === key(best) && item.id < best.id)) pick = i;
      });
      if (pick < 0) return;
      yield heads[pick].value as T;
      heads[pick] = await walks[pick].next();
    }
  } finally {
    // A consumer stopping early, or a walk failing, must not leave the other walks half-read.
    await Promise.all(walks.map((walk) => walk.return(undefined)));
  }
}
