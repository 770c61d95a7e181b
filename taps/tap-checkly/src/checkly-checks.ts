import { pageNumberPaginator, type HttpClient } from '@observes/tap-sdk';
import type { ChecklyCheck } from './checkly-records.js';
import type { ChecklyConfig } from './config.js';

/** Checkly's `limit`/`page` pagination of bare arrays: a page shorter than the limit is the last. */
export function checklyPaginator(config: ChecklyConfig) {
  return pageNumberPaginator({ pageParam: 'page', sizeParam: 'limit', size: config.page_size });
}

const checks = new WeakMap<HttpClient, Promise<ChecklyCheck[]>>();

/** Every check of the account, fetched once per run: the partitions of `check_results`. */
export function checklyChecks(http: HttpClient, config: ChecklyConfig): Promise<ChecklyCheck[]> {
  let found = checks.get(http);
  if (!found) {
    found = (async () => {
      const all: ChecklyCheck[] = [];
      for await (const check of http.paginate<ChecklyCheck>('v1/checks', { paginator: checklyPaginator(config) })) all.push(check);
      return all;
    })();
    found.catch(() => checks.delete(http));
    checks.set(http, found);
  }
  return found;
}
