import type { HttpResponse, Query } from './http-message.js';

/** The request of one page: URL (absolute or relative to the base URL) and query. */
export interface PageRequest {
  url: string;
  query: Query;
}

/** Gets from one page to the next. Paginators are stateless: reuse one for many listings. */
export interface Paginator {
  /** The request of the first page (adds page size, first page number...). */
  first(request: PageRequest): PageRequest;
  /** The request of the page after `current`, or `undefined` when `response` was the last page. */
  next(current: PageRequest, response: HttpResponse, items: readonly unknown[]): PageRequest | undefined;
}

/** Options of {@link pageNumberPaginator}. */
export interface PageNumberOptions {
  /** Page-number parameter; default `page`. */
  pageParam?: string;
  /** Page-size parameter; default `per_page`. */
  sizeParam?: string;
  /** Page size; default 100. */
  size?: number;
  /** First page number; default 1. */
  firstPage?: number;
}

/**
 * `?page=N&per_page=S`. Stops on an empty page or a page shorter than `size` (APIs that cap the size below what was
 * asked still return full pages of their cap, so set `size` to at most the API's maximum).
 */
export function pageNumberPaginator(options: PageNumberOptions = {}): Paginator {
  const pageParam = options.pageParam ?? 'page';
  const sizeParam = options.sizeParam ?? 'per_page';
  const size = options.size ?? 100;
  return {
    first: (request) => ({ url: request.url, query: { ...request.query, [pageParam]: options.firstPage ?? 1, [sizeParam]: size } }),
    next: (current, _response, items) =>
      items.length === 0 || items.length < size
        ? undefined
        : { url: current.url, query: { ...current.query, [pageParam]: Number(current.query[pageParam]) + 1 } },
  };
}

/** Options of {@link offsetPaginator}. */
export interface OffsetOptions {
  /** Offset parameter; default `offset`. */
  offsetParam?: string;
  /** Limit parameter; default `limit`. */
  limitParam?: string;
  /** Page size; default 100. */
  limit?: number;
}

/** `?offset=N&limit=L`. Stops on an empty or short page. */
export function offsetPaginator(options: OffsetOptions = {}): Paginator {
  const offsetParam = options.offsetParam ?? 'offset';
  const limitParam = options.limitParam ?? 'limit';
  const limit = options.limit ?? 100;
  return {
    first: (request) => ({ url: request.url, query: { ...request.query, [offsetParam]: 0, [limitParam]: limit } }),
    next: (current, _response, items) =>
      items.length === 0 || items.length < limit
        ? undefined
        : { url: current.url, query: { ...current.query, [offsetParam]: Number(current.query[offsetParam]) + items.length } },
  };
}

/** The `rel="next"` target of an RFC 8288 `Link` header, if any. */
export function nextLink(linkHeader: string | undefined): string | undefined {
  if (!linkHeader) return undefined;
  for (const part of linkHeader.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2])) return match[1];
  }
  return undefined;
}

/**
 * Follows the `Link` header's `rel="next"` URL (GitLab offset and keyset pagination, GitHub...), which carries the
 * whole query. `size` sets the first page's `per_page`-style parameter when given.
 */
export function linkHeaderPaginator(options: { sizeParam?: string; size?: number } = {}): Paginator {
  return {
    first: (request) => (options.size ? { url: request.url, query: { ...request.query, [options.sizeParam ?? 'per_page']: options.size } } : request),
    next: (_current, response) => {
      const next = nextLink(response.headers.link);
      return next ? { url: new URL(next, response.url).toString(), query: {} } : undefined;
    },
  };
}

/**
 * Follows a next-page-number header (GitLab's `X-Next-Page`, empty on the last page). GitLab omits totals on large
 * collections but always sends `X-Next-Page`, so this works where `X-Total-Pages` does not.
 */
export function nextPageHeaderPaginator(options: { header?: string; pageParam?: string; sizeParam?: string; size?: number } = {}): Paginator {
  const header = (options.header ?? 'x-next-page').toLowerCase();
  const pageParam = options.pageParam ?? 'page';
  const sizeParam = options.sizeParam ?? 'per_page';
  return {
    first: (request) => ({ url: request.url, query: { ...request.query, [pageParam]: 1, ...(options.size ? { [sizeParam]: options.size } : {}) } }),
    next: (current, response) => {
      const next = response.headers[header]?.trim();
      return next ? { url: current.url, query: { ...current.query, [pageParam]: next } } : undefined;
    },
  };
}

/** Options of {@link cursorPaginator}. */
export interface CursorOptions {
  /** Query parameter carrying the cursor, e.g. `cursor` or `page_token`. */
  param: string;
  /** The next cursor from a page (body, headers), or `undefined`/empty on the last page. */
  nextCursor: (body: any, response: HttpResponse) => string | number | undefined | null;
  /** Page-size parameter and size, if the API takes one. */
  sizeParam?: string;
  size?: number;
}

/** An opaque cursor returned by each page (`next_cursor`, `nextToken`...). */
export function cursorPaginator(options: CursorOptions): Paginator {
  return {
    first: (request) => ({ url: request.url, query: { ...request.query, ...(options.size ? { [options.sizeParam ?? 'limit']: options.size } : {}) } }),
    next: (current, response) => {
      const cursor = options.nextCursor(response.body, response);
      return cursor === undefined || cursor === null || cursor === '' ? undefined : { url: current.url, query: { ...current.query, [options.param]: cursor } };
    },
  };
}

/** Options of {@link keysetPaginator}. */
export interface KeysetOptions {
  /** Query parameter taking the last key seen, e.g. `id_after` or `since_id`. */
  param: string;
  /** The key of an item, e.g. `(job) => job.id`. */
  key: (item: any) => string | number;
  /** Page-size parameter and size; a page shorter than `size` is the last. */
  sizeParam?: string;
  size: number;
}

/** Keyset pagination: the next page starts after the last item's key. Immune to inserts between pages. */
export function keysetPaginator(options: KeysetOptions): Paginator {
  const sizeParam = options.sizeParam ?? 'per_page';
  return {
    first: (request) => ({ url: request.url, query: { ...request.query, [sizeParam]: options.size } }),
    next: (current, _response, items) =>
      items.length < options.size || items.length === 0
        ? undefined
        : { url: current.url, query: { ...current.query, [options.param]: options.key(items[items.length - 1]) } },
  };
}
