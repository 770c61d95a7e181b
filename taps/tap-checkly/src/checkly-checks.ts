import type { JsonRecord } from '@observes/protocol';
import { pageNumberPaginator, type HttpClient } from '@observes/tap-sdk';
import type { ChecklyConfig } from './config.js';

/** Checkly's `limit`/`page` pagination of bare arrays: a page shorter than the limit is the last. */
export function checklyPaginator(config: ChecklyConfig) {
  return pageNumberPaginator({ pageParam: 'page', sizeParam: 'limit', size: config.page_size });
}

const checks = new WeakMap<HttpClient, Promise<JsonRecord[]>>();

/** Every check of the account, fetched once per run: the partitions of `check_results`. */
export function checklyChecks(http: HttpClient, config: ChecklyConfig): Promise<JsonRecord[]> {
  let found = checks.get(http);
  if (!found) {
    found = (async () => {
      const all: JsonRecord[] = [];
      for await (const check of http.paginate<JsonRecord>('v1/checks', { paginator: checklyPaginator(config) })) all.push(check);
      return all;
    })();
    found.catch(() => checks.delete(http));
    checks.set(http, found);
  }
  return found;
}
