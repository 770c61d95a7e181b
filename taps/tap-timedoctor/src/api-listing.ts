import type { JsonRecord, Logger } from '@observes/protocol';
import type { HttpResponse, Query } from '@observes/tap-sdk';
import type { TimedoctorSession } from './timedoctor-session.js';

/**
 * A 2xx answer whose body is not the JSON it should be: users of the API report large answers cut off mid-string
 * (e.g. 14 MB of worklog JSON, integrations/timedoctor.py of a public client); asking for less fixes it.
 */
export class TruncatedAnswerError extends Error {
  override name = 'TruncatedAnswerError';
}

/** Options of {@link listPages}. */
export interface ListingOptions {
  /** Path under the API root, e.g. `users`. */
  path: string;
  /** Query of every page (`company`, `from`, `to`, `user`…). */
  query: Query;
  /** `limit` of each page. */
  pageSize: number;
  /** Logs the session's logins. */
  logger: Logger;
  /** Identity of an item, to drop repeats and to notice an API that does not page. */
  key(item: JsonRecord): string;
  /** The items of a page's `data`; default: `data` itself. */
  items?(data: unknown[]): JsonRecord[];
}

/** `data` of a `{ "data": [...] }` answer, the envelope of every list of the API (https://timedoctor.redoc.ly). */
function dataOf(response: HttpResponse, path: string): unknown[] {
  const body = response.body as { data?: unknown } | string | undefined;
  if (typeof body === 'string') throw new TruncatedAnswerError(`GET ${path}: the answer (${body.length} characters) is not valid JSON: a response cut short`);
  if (!body || !Array.isArray(body.data)) throw new Error(`GET ${path}: expected {"data": [...]}, got ${JSON.stringify(body)?.slice(0, 200)}`);
  return body.data;
}

/**
 * Walks a listing by `page` (from 0) and `limit`, as the API's clients do, until a page comes back empty: a page
 * shorter than `limit` is not taken as the last one, since the API may cap `limit` below what was asked (the
 * reference does not give a maximum) and stopping there would drop the rest silently. Items seen on an earlier page
 * are dropped (a listing that shifts under concurrent edits repeats some), and a page of nothing but repeats fails
 * the run rather than looping (an API ignoring `page` would otherwise be walked for ever).
 */
export async function* listPages(session: TimedoctorSession, options: ListingOptions): AsyncGenerator<JsonRecord[]> {
  const seen = new Set<string>();
  for (let page = 0; ; page++) {
    const response = await session.get(options.path, { ...options.query, page, limit: options.pageSize }, options.logger);
    const data = dataOf(response, options.path);
    const items = options.items ? options.items(data) : (data as JsonRecord[]);
    if (items.length === 0) return;
    const fresh = items.filter((item) => {
      const key = options.key(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (fresh.length === 0) {
      throw new Error(
        `GET ${options.path}: page ${page} only repeats items of earlier pages; the API does not page as expected (stopping rather than looping)`,
      );
    }
    yield fresh;
  }
}
