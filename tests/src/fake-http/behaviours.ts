import type { FakeBehaviour, FakeRequest } from './fake-api.js';

/** Options of {@link requireAuth}. */
export interface RequireAuthOptions {
  /** Header carrying the credential, e.g. `private-token` (GitLab) or `authorization`. */
  header: string;
  /** Exact expected value, e.g. `Bearer abc`. */
  value: string;
}

/** Answers 401 (`{"message":"401 Unauthorized"}`) unless the header carries the expected value. */
export function requireAuth(options: RequireAuthOptions): FakeBehaviour {
  const header = options.header.toLowerCase();
  return async (request, next) => (request.headers[header] === options.value ? next() : { status: 401, body: { message: '401 Unauthorized' } });
}

/** Selects which requests a behaviour applies to: their 1-based number among the requests reaching it. */
export interface NthRequestOptions {
  /** Request numbers (counted among the requests this behaviour sees, from 1) to act on. */
  nth: number[];
  /** Only count requests whose path matches. */
  path?: RegExp;
}

/** Options of {@link rateLimit}. */
export interface RateLimitOptions extends NthRequestOptions {
  /** `Retry-After` value in seconds (default 1); omitted from the response when `null`. */
  retryAfterSeconds?: number | null;
  /** Seconds from now written as `RateLimit-Reset` (epoch seconds, GitLab style); omitted when absent. */
  resetInSeconds?: number;
}

/** Answers 429 to the chosen requests, with `Retry-After`, `RateLimit-Remaining: 0` and optional `RateLimit-Reset`. */
export function rateLimit(options: RateLimitOptions): FakeBehaviour {
  return onNth(options, () => {
    const headers: Record<string, string> = { 'ratelimit-remaining': '0' };
    if (options.retryAfterSeconds !== null) headers['retry-after'] = String(options.retryAfterSeconds ?? 1);
    if (options.resetInSeconds !== undefined) headers['ratelimit-reset'] = String(Math.ceil(Date.now() / 1000) + options.resetInSeconds);
    return { status: 429, headers, body: { message: 'Retry later' } };
  });
}

/** Options of {@link failRequests}. */
export interface FailRequestsOptions extends NthRequestOptions {
  /** Status to answer, 500 by default. */
  status?: number;
}

/** Answers an error status (5xx by default) to the chosen requests. */
export function failRequests(options: FailRequestsOptions): FakeBehaviour {
  return onNth(options, () => ({ status: options.status ?? 500, body: { message: 'injected failure' } }));
}

/** Options of {@link throttleFor}. */
export interface ThrottleOptions {
  /** How long the throttle lasts from the first request it refuses, in ms. */
  durationMs: number;
  /** Only requests whose path matches are throttled (and start the clock). */
  path?: RegExp;
  /** The clock, in ms; inject the client's fake clock so the test does not wait for real. Default `Date.now`. */
  now?: () => number;
  /** The refusal's body; default GitLab's plain `Retry later`. */
  body?: unknown;
}

/**
 * Answers a bare 429 (no `Retry-After`, no `RateLimit-*`: what gitlab.com sometimes sends, and what Checkly always
 * sends) to every matching request for `durationMs` after the first one, then lets requests through: a rate-limit
 * window the client cannot see the end of.
 */
export function throttleFor(options: ThrottleOptions): FakeBehaviour {
  const now = options.now ?? Date.now;
  let startedAt: number | undefined;
  return async (request, next) => {
    if (options.path && !options.path.test(request.path)) return next();
    startedAt ??= now();
    if (now() - startedAt >= options.durationMs) return next();
    return { status: 429, headers: { 'content-type': 'text/plain' }, body: typeof options.body === 'undefined' ? 'Retry later\n' : options.body };
  };
}

/**
 * Drops the given query parameters before the route sees them, like an endpoint that ignores its paging parameter
 * (every page is the first page): what the clients' repeated-page detection must catch.
 */
export function ignoreQuery(options: { params: string[]; path?: RegExp }): FakeBehaviour {
  return async (request, next) => {
    if (!options.path || options.path.test(request.path)) {
      for (const param of options.params) {
        delete request.query[param];
        request.url.searchParams.delete(param);
      }
    }
    return next();
  };
}

/** Delays every response by `ms` milliseconds (for timeout and concurrency tests). */
export function delay(ms: number): FakeBehaviour {
  return async (_request, next) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return next();
  };
}

function onNth(options: NthRequestOptions, answer: (request: FakeRequest) => ReturnType<FakeBehaviour> | Awaited<ReturnType<FakeBehaviour>>): FakeBehaviour {
  let seen = 0;
  return async (request, next) => {
    if (options.path && !options.path.test(request.path)) return next();
    seen++;
    return options.nth.includes(seen) ? answer(request) : next();
  };
}
