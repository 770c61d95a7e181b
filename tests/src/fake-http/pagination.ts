import type { FakeHandler, FakeRequest } from './fake-api.js';

/** The items a paginated route serves: fixed, or computed per request (e.g. filtered by a query parameter). */
export type ItemSource = unknown[] | ((request: FakeRequest) => unknown[]);

const itemsOf = (source: ItemSource, request: FakeRequest) => (typeof source === 'function' ? source(request) : source);

/** Options of {@link pagePaginated}. */
export interface PagePaginationOptions {
  /** Page size when the request has no `per_page` (GitLab: 20). */
  defaultPerPage?: number;
  /** Largest `per_page` honoured (GitLab: 100). */
  maxPerPage?: number;
  /** Leave out `X-Total`, `X-Total-Pages` and the `last` link, as GitLab does beyond 10,000 items. */
  omitTotals?: boolean;
}

/**
 * GitLab-style page pagination: reads `page` and `per_page`, answers a JSON array with `X-Page`, `X-Per-Page`,
 * `X-Next-Page`, `X-Prev-Page` (empty when none), `X-Total`, `X-Total-Pages` and a `Link` header
 * (`rel="next"`, `"prev"`, `"first"`, `"last"`).
 */
export function pagePaginated(items: ItemSource, options: PagePaginationOptions = {}): FakeHandler {
  return (request) => {
    const all = itemsOf(items, request);
    const perPage = Math.min(Number(request.query.per_page ?? options.defaultPerPage ?? 20), options.maxPerPage ?? 100);
    const page = Math.max(1, Number(request.query.page ?? 1));
    const totalPages = Math.max(1, Math.ceil(all.length / perPage));
    const next = page < totalPages ? page + 1 : undefined;
    const prev = page > 1 ? page - 1 : undefined;
    const link = (p: number, rel: string) => {
      const url = new URL(request.url);
      url.searchParams.set('page', String(p));
      url.searchParams.set('per_page', String(perPage));
      return `<${url.href}>; rel="${rel}"`;
    };
    const links = [next && link(next, 'next'), prev && link(prev, 'prev'), link(1, 'first'), !options.omitTotals && link(totalPages, 'last')].filter(Boolean);
    const headers: Record<string, string> = {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': next ? String(next) : '',
      'x-prev-page': prev ? String(prev) : '',
      link: links.join(', '),
    };
    if (!options.omitTotals) {
      headers['x-total'] = String(all.length);
      headers['x-total-pages'] = String(totalPages);
    }
    return { headers, body: all.slice((page - 1) * perPage, page * perPage) };
  };
}

/** Options of {@link offsetPaginated}. */
export interface OffsetPaginationOptions {
  /** Query parameter of the offset, `offset` by default. */
  offsetParam?: string;
  /** Query parameter of the page size, `limit` by default. */
  limitParam?: string;
  /** Page size when the request names none (default 100). */
  defaultLimit?: number;
}

/** Offset pagination: reads `offset`/`limit`, answers a JSON array with an `X-Total` header. */
export function offsetPaginated(items: ItemSource, options: OffsetPaginationOptions = {}): FakeHandler {
  return (request) => {
    const all = itemsOf(items, request);
    const offset = Number(request.query[options.offsetParam ?? 'offset'] ?? 0);
    const limit = Number(request.query[options.limitParam ?? 'limit'] ?? options.defaultLimit ?? 100);
    return { headers: { 'x-total': String(all.length) }, body: all.slice(offset, offset + limit) };
  };
}

/** Options of {@link cursorPaginated}. */
export interface CursorPaginationOptions {
  /** Query parameter carrying the cursor, `cursor` by default. */
  cursorParam?: string;
  /** Query parameter of the page size, `limit` by default. */
  limitParam?: string;
  /** Page size when the request names none (default 100). */
  defaultLimit?: number;
  /** Body key of the page's items, `data` by default. */
  itemsKey?: string;
  /** Body key of the next cursor (`null` on the last page), `next_cursor` by default. */
  cursorKey?: string;
}

/**
 * Cursor pagination: answers `{ data: [...], next_cursor: "<opaque>" | null }`; the client passes the cursor back
 * as `?cursor=`. Cursors are opaque (base64 of the offset) so clients cannot compute them.
 */
export function cursorPaginated(items: ItemSource, options: CursorPaginationOptions = {}): FakeHandler {
  return (request) => {
    const all = itemsOf(items, request);
    const cursor = request.query[options.cursorParam ?? 'cursor'];
    const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(offset) || offset < 0) return { status: 400, body: { message: 'invalid cursor' } };
    const limit = Number(request.query[options.limitParam ?? 'limit'] ?? options.defaultLimit ?? 100);
    const end = offset + limit;
    const next = end < all.length ? Buffer.from(String(end)).toString('base64url') : null;
    return { body: { [options.itemsKey ?? 'data']: all.slice(offset, end), [options.cursorKey ?? 'next_cursor']: next } };
  };
}

/** Options of {@link keysetPaginated}. */
export interface KeysetPaginationOptions {
  /** The key items are sorted on (descending) and the cursor carries, e.g. `(job) => job.id`. */
  key: (item: any) => number;
  /** Page size when the request has no `per_page` (GitLab: 20). */
  defaultPerPage?: number;
  /** Largest `per_page` honoured (GitLab: 100). */
  maxPerPage?: number;
}

/**
 * One page of a keyset listing: the items with a key below `below` (all when `undefined`), highest key first, at
 * most `limit` of them. Computing only the page asked for lets a fake serve huge collections without holding them.
 */
export type KeysetSource = (request: FakeRequest, below: number | undefined, limit: number) => unknown[];

/**
 * GitLab's cursor-based keyset pagination (`pagination=keyset`, `order_by=id`, `sort=desc`), as documented in
 * https://docs.gitlab.com/ee/api/rest/#keyset-based-pagination: a JSON array, no `X-Total`/`X-Page` headers, and
 * a `Link` header whose `rel="next"` URL repeats the query with an opaque `cursor`; absent on the last page.
 * The cursor, like GitLab's, is base64 of JSON holding the last key; a cursor that does not decode gets a 400.
 */
export function keysetPaginated(source: KeysetSource, options: KeysetPaginationOptions): FakeHandler {
  return (request) => {
    const perPage = Math.min(Number(request.query.per_page ?? options.defaultPerPage ?? 20), options.maxPerPage ?? 100);
    let below: number | undefined;
    if (request.query.cursor !== undefined) {
      try {
        below = Number((JSON.parse(Buffer.from(request.query.cursor, 'base64url').toString('utf8')) as { id: string }).id);
      } catch {
        below = Number.NaN;
      }
      if (!Number.isFinite(below)) return { status: 400, body: { error: 'cursor is invalid' } };
    }
    const items = source(request, below, perPage + 1);
    const page = items.slice(0, perPage);
    const headers: Record<string, string> = { 'x-per-page': String(perPage) };
    if (items.length > perPage) {
      const url = new URL(request.url);
      url.searchParams.set('cursor', Buffer.from(JSON.stringify({ id: String(options.key(page[page.length - 1])), _kd: 'n' })).toString('base64url'));
      headers.link = `<${url.href}>; rel="next"`;
    }
    return { headers, body: page };
  };
}
