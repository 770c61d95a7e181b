/**
 * The shapes of one HTTP exchange of the tap SDK (query, request, response) and how a request's URL is built:
 * shared by the `HttpClient` and the paginators, which both speak of requests and responses.
 */

/** Query parameters; `undefined` values are left out, arrays repeat the parameter. */
export type Query = Record<string, string | number | boolean | undefined | readonly (string | number)[]>;

/** A request of `HttpClient.request`. */
export interface HttpRequest {
  /** Default GET. */
  method?: string;
  /** Absolute URL, or a path appended to `baseUrl`. */
  url: string;
  query?: Query;
  headers?: Record<string, string>;
  /** JSON body (serialized keeping exact numbers). */
  body?: unknown;
}

/** A successful (2xx) response. */
export interface HttpResponse<T = unknown> {
  status: number;
  /** The final URL requested (with query). */
  url: string;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  /** JSON body parsed losslessly (big integers survive), or the text when it is not JSON; `undefined` when empty. */
  body: T;
}

/** Builds `base + path + ?query`. */
export function buildUrl(baseUrl: string | undefined, url: string, query: Query = {}): string {
  const absolute = /^https?:\/\//i.test(url) ? url : `${(baseUrl ?? '').replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
  const parsed = new URL(absolute);
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    parsed.searchParams.delete(name);
    for (const v of Array.isArray(value) ? value : [value]) parsed.searchParams.append(name, String(v));
  }
  return parsed.toString();
}
