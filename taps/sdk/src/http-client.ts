import { createHash } from 'node:crypto';
import { ObservesError, parseJsonLossless, redact, serializeJson, type ErrorKind, type Logger, type ObservesErrorOptions } from '@observes/protocol';
import { RateLimiter } from './rate-limiter.js';
import { rateLimitExhausted, retryDelayMs, serverDelayMs } from './retry-delay.js';
import { redactUrl } from './redact-url.js';
import { fetchTransport, type Transport, type TransportResponse } from './http-transport.js';
import { recordingTransport, replayTransport, ReplayMissError } from './http-recorder.js';
import type { Metrics } from './metrics.js';
import type { Paginator, PageRequest } from './paginators.js';
import { buildUrl, type HttpRequest, type HttpResponse, type Query } from './http-message.js';

/** Options of the tap's {@link HttpClient}. */
export interface HttpClientOptions {
  /** Prefix of relative request paths, e.g. `https://gitlab.example.com/api/v4`. */
  baseUrl?: string;
  /** Headers of every request (auth goes here; it is scrubbed from logs and recordings). */
  headers?: Record<string, string>;
  /** Per-attempt timeout in ms, body included; default 30000. */
  timeoutMs?: number;
  /**
   * Retries after the first attempt on 429, 5xx, 408, timeouts and network errors; default 5, or unlimited when
   * `retryBudgetMs` is set (set both to cap both).
   */
  maxRetries?: number;
  /**
   * Total time in ms one request may spend waiting between its retries. Retries go on, backing off, until the waits
   * add up to it (the last wait is shortened to fit), so a request outlasts a rate-limit window of that length even
   * when the server says nothing about when to come back. A server asking for a longer wait than what is left of
   * the budget fails the request at once. Default: no budget (only `maxRetries` counts).
   */
  retryBudgetMs?: number;
  /** First backoff delay in ms, doubled per retry, with jitter; default 1000. */
  baseDelayMs?: number;
  /** Cap of a computed backoff delay in ms; default 60000. */
  maxDelayMs?: number;
  /** Cap of a delay the server asks for (`Retry-After`, `RateLimit-Reset`) in ms; default 900000 (15 min). */
  maxServerDelayMs?: number;
  /** Per-tap rate limit in requests per second; default unlimited. */
  requestsPerSecond?: number;
  /** Stricter limits of some routes (on top of `requestsPerSecond`), e.g. an endpoint allowing 5 requests per 10 s. */
  routeLimits?: RouteLimit[];
  /** Waits `ms`; inject a fake in tests so retries do not sleep for real. */
  sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for jitter. */
  random?: () => number;
  /** Current time in ms (for `RateLimit-Reset` epochs and HTTP dates). */
  now?: () => number;
  /** Replaces Node's fetch (rarely needed). */
  fetch?: typeof fetch;
  /** Save every exchange into this directory, credentials scrubbed (`--record <dir>`). */
  recordDir?: string;
  /** Answer every request from the recordings in this directory, offline (`--replay <dir>`). */
  replayDir?: string;
  /** Logs retries and waits. */
  logger?: Logger;
  /** Emits `http_request_duration` timers. */
  metrics?: Metrics;
}

/** Statuses worth another attempt: the server was busy, throttled or failing, or the request timed out. */
const RETRIABLE_STATUS = (status: number) => status === 429 || status === 408 || status >= 500;

/** A rate limit of the requests whose URL path matches `path` (every attempt counts, retries included). */
export interface RouteLimit {
  /** Tested against the request URL's path, e.g. `/^\/v2\/check-results\//`. */
  path: RegExp;
  /** Requests per second on the matching routes, e.g. `0.5` for 5 requests per 10 s. */
  requestsPerSecond: number;
}

/**
 * An HTTP failure: a non-retriable 4xx, or retries exhausted. The message names method, URL (secrets stripped) and status.
 * Its kind follows the status: with no status (a network error, a timeout), 408, 429 or 5xx it is a transient failure
 * (`kind` `'transient'`, `retryable`: a later run may succeed; the network error is its `cause`); any other 4xx is a
 * request the server refuses (`kind` `'config'`: bad credentials, permissions, a wrong id), which a rerun as is cannot fix.
 */
export class HttpError extends ObservesError {
  override name = 'HttpError';
  readonly kind: ErrorKind;
  constructor(
    message: string,
    /** HTTP status; `undefined` for network errors and timeouts. */
    readonly status: number | undefined,
    readonly method: string,
    /** URL with secrets stripped. */
    readonly url: string,
    options?: ObservesErrorOptions,
  ) {
    super(message, options);
    this.kind = status === undefined || RETRIABLE_STATUS(status) ? 'transient' : 'config';
  }
}

function parseBody(response: TransportResponse): unknown {
  const text = response.text;
  if (text.trim() === '') return undefined;
  const json = (response.headers['content-type'] ?? '').includes('json') || /^\s*[[{]/.test(text);
  if (!json) return text;
  try {
    return parseJsonLossless(text);
  } catch {
    return text;
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Extracts the items of a page from its body; default: the body when it is an array. */
export type ItemsOf<T> = (body: any, response: HttpResponse) => T[];

const defaultItems = <T>(body: unknown, response: HttpResponse): T[] => {
  if (Array.isArray(body)) return body as T[];
  throw new Error(`${redactUrl(response.url)}: the response is not a JSON array; pass \`items\` to say where the items are`);
};

/** Options of {@link HttpClient.pages} and {@link HttpClient.paginate}. */
export interface PaginateOptions<T> {
  /** How to get from one page to the next. */
  paginator: Paginator;
  /** Query of the first page (paginators add theirs). */
  query?: Query;
  /** Headers of every page request. */
  headers?: Record<string, string>;
  /** Where the items are in a page body; default: the body is the array. */
  items?: ItemsOf<T>;
  /**
   * `fail` (default): a page whose request repeats an earlier page's, or whose non-empty body equals the previous
   * page's (an endpoint ignoring its paging parameter), throws {@link RepeatedPageError} instead of looping
   * forever. `allow` turns the check off, for listings whose pages may legitimately be identical.
   */
  repeatedPages?: 'fail' | 'allow';
}

/** A listing went round in circles: a page repeats an earlier request, or the previous page's content. */
export class RepeatedPageError extends Error {
  override name = 'RepeatedPageError';
  constructor(
    message: string,
    /** URL of the repeated page, secrets stripped. */
    readonly url: string,
  ) {
    super(message);
  }
}

/** One page of a paginated listing. */
export interface Page<T> {
  items: T[];
  response: HttpResponse;
  /** 1-based page count in this listing. */
  number: number;
}

/**
 * The tap's HTTP client over Node's fetch: timeouts, retries with exponential backoff and jitter on 429/5xx/network
 * errors honouring `Retry-After` and `RateLimit-*`, a per-tap rate limit, pagination, and record/replay.
 * Other 4xx fail fast with an {@link HttpError}.
 */
export class HttpClient {
  private readonly options: HttpClientOptions;
  private readonly transport: Transport;
  private readonly limiter: RateLimiter;
  private readonly routeLimiters: { path: RegExp; limiter: RateLimiter }[];
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(options: HttpClientOptions = {}) {
    this.options = options;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.limiter = new RateLimiter(options.requestsPerSecond, this.sleep, this.now);
    this.routeLimiters = (options.routeLimits ?? []).map((route) => ({
      path: route.path,
      limiter: new RateLimiter(route.requestsPerSecond, this.sleep, this.now),
    }));
    const base = fetchTransport(options.fetch);
    this.transport = options.replayDir ? replayTransport(options.replayDir) : options.recordDir ? recordingTransport(options.recordDir, base) : base;
  }

  /** Sends a request, retrying transient failures; resolves with a 2xx response or throws {@link HttpError}. */
  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    return (await this.send<T>(request)).response;
  }

  /** {@link request}, also returning the body's text (pages compare it to detect a repeated page). */
  private async send<T>(request: HttpRequest): Promise<{ response: HttpResponse<T>; text: string }> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = buildUrl(this.options.baseUrl, request.url, request.query);
    const safeUrl = redactUrl(url);
    const path = new URL(url).pathname;
    const routeLimiters = this.routeLimiters.filter((route) => route.path.test(path));
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers, ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === 'string' ? request.body : serializeJson(request.body);
      headers['content-type'] ??= 'application/json';
    }
    const budgetMs = this.options.retryBudgetMs;
    const maxRetries = this.options.maxRetries ?? (budgetMs === undefined ? 5 : Infinity);
    const backoff = {
      baseDelayMs: this.options.baseDelayMs ?? 1000,
      maxDelayMs: this.options.maxDelayMs ?? 60_000,
      maxServerDelayMs: this.options.maxServerDelayMs ?? 900_000,
      random: this.options.random ?? Math.random,
    };
    /** Time slept between attempts so far, counted against `retryBudgetMs`. */
    let waitedMs = 0;
    for (let attempt = 0; ; attempt++) {
      await this.limiter.acquire();
      for (const route of routeLimiters) await route.limiter.acquire();
      const started = performance.now();
      let response: TransportResponse | undefined;
      let failure: string;
      let networkError: unknown;
      try {
        response = await this.transport({ method, url, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
      } catch (error) {
        if (error instanceof ReplayMissError) throw error;
        networkError = error;
        const e = error as Error & { cause?: { code?: string } };
        failure = e.name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs ?? 30_000} ms` : `network error: ${e.cause?.code ?? e.message}`;
      }
      this.options.metrics?.timer('http_request_duration', (performance.now() - started) / 1000, {
        endpoint: safeUrl.split('?')[0],
        method,
        http_status_code: response?.status,
        status: response && response.status < 400 ? 'succeeded' : 'failed',
      });
      const header = response ? (name: string) => response!.headers[name] : undefined;
      if (response && response.status < 400) {
        if (header && rateLimitExhausted(header)) {
          const wait = serverDelayMs(header, this.now());
          if (wait !== undefined) this.limiter.blockUntil(this.now() + wait);
        }
        return { response: { status: response.status, url, headers: response.headers, body: parseBody(response) as T }, text: response.text };
      }
      if (response) {
        failure = `${response.status} ${response.statusText}`.trim();
        if (!RETRIABLE_STATUS(response.status)) {
          const detail = response.text.trim().slice(0, 300);
          throw new HttpError(redact(`${method} ${safeUrl} failed: ${failure}${detail ? `: ${detail}` : ''}`), response.status, method, safeUrl);
        }
      }
      const giveUp = (why: string) =>
        new HttpError(redact(`${method} ${safeUrl} failed after ${attempt + 1} attempts${why}: ${failure!}`), response?.status, method, safeUrl, {
          cause: networkError,
        });
      if (attempt >= maxRetries) throw giveUp('');
      let delay = retryDelayMs(attempt, header, this.now(), backoff);
      if (budgetMs !== undefined) {
        const leftMs = budgetMs - waitedMs;
        const budget = `${Math.round(budgetMs / 1000)} s retry budget`;
        if (leftMs <= 0) throw giveUp(` and ${Math.round(waitedMs / 1000)} s of waiting (the ${budget})`);
        // Waiting less than the server asked only earns another refusal.
        if (header && serverDelayMs(header, this.now()) !== undefined && delay > leftMs) {
          throw giveUp(`: the server asks to wait ${Math.round(delay / 1000)} s, more than the ${Math.round(leftMs / 1000)} s left of the ${budget}`);
        }
        delay = Math.min(delay, leftMs);
      }
      waitedMs += delay;
      this.options.logger?.warn('retrying HTTP request', { method, url: safeUrl, problem: failure!, attempt: attempt + 1, delay_ms: delay });
      await this.sleep(delay);
    }
  }

  /** GET a JSON document. */
  async get<T = unknown>(url: string, query?: Query, headers?: Record<string, string>): Promise<T> {
    return (await this.request<T>({ url, query, headers })).body;
  }

  /**
   * Walks the pages of a listing; stop early by breaking out of the loop (no further page is fetched). A page
   * repeating an earlier request or the previous page's content throws {@link RepeatedPageError} (see `repeatedPages`).
   */
  async *pages<T = unknown>(url: string, options: PaginateOptions<T>): AsyncGenerator<Page<T>> {
    const itemsOf = options.items ?? defaultItems<T>;
    const checkRepeats = options.repeatedPages !== 'allow';
    const requested = new Set<string>();
    let previousDigest: string | undefined;
    let current: PageRequest | undefined = options.paginator.first({ url, query: { ...options.query } });
    for (let number = 1; current; number++) {
      const pageUrl = buildUrl(this.options.baseUrl, current.url, current.query);
      if (checkRepeats && requested.has(pageUrl)) {
        throw new RepeatedPageError(
          `${redactUrl(pageUrl)}: page ${number} repeats the request of an earlier page; the listing would never end`,
          redactUrl(pageUrl),
        );
      }
      requested.add(pageUrl);
      const { response, text } = await this.send({ url: current.url, query: current.query, headers: options.headers });
      const items = itemsOf(response.body, response) ?? [];
      if (checkRepeats && items.length > 0) {
        const digest = createHash('sha256').update(text).digest('base64');
        if (digest === previousDigest) {
          throw new RepeatedPageError(
            `${redactUrl(pageUrl)}: page ${number} has the same ${items.length} items as page ${number - 1}; the endpoint seems to ignore its paging parameter`,
            redactUrl(pageUrl),
          );
        }
        previousDigest = digest;
      }
      yield { items, response, number };
      current = options.paginator.next(current, response, items);
    }
  }

  /** Walks every item of a paginated listing. */
  async *paginate<T = unknown>(url: string, options: PaginateOptions<T>): AsyncGenerator<T> {
    for await (const page of this.pages(url, options)) yield* page.items;
  }
}
