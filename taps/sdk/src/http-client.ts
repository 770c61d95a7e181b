import { parseJsonLossless, redact, serializeJson, type Logger } from '@observes/protocol';
import { RateLimiter } from './rate-limiter.js';
import { rateLimitExhausted, retryDelayMs, serverDelayMs } from './retry-delay.js';
import { redactUrl } from './redact-url.js';
import { fetchTransport, type Transport, type TransportResponse } from './http-transport.js';
import { recordingTransport, replayTransport, ReplayMissError } from './http-recorder.js';
import type { Metrics } from './metrics.js';
import type { Paginator, PageRequest } from './paginators.js';

/** Query parameters; `undefined` values are left out, arrays repeat the parameter. */
export type Query = Record<string, string | number | boolean | undefined | readonly (string | number)[]>;

/** Options of the tap's {@link HttpClient}. */
export interface HttpClientOptions {
  /** Prefix of relative request paths, e.g. `https://gitlab.example.com/api/v4`. */
  baseUrl?: string;
  /** Headers of every request (auth goes here; it is scrubbed from logs and recordings). */
  headers?: Record<string, string>;
  /** Per-attempt timeout in ms, body included; default 30000. */
  timeoutMs?: number;
  /** Retries after the first attempt on 429, 5xx, 408, timeouts and network errors; default 5. */
  maxRetries?: number;
  /** First backoff delay in ms, doubled per retry, with jitter; default 1000. */
  baseDelayMs?: number;
  /** Cap of a computed backoff delay in ms; default 60000. */
  maxDelayMs?: number;
  /** Cap of a delay the server asks for (`Retry-After`, `RateLimit-Reset`) in ms; default 900000 (15 min). */
  maxServerDelayMs?: number;
  /** Per-tap rate limit in requests per second; default unlimited. */
  requestsPerSecond?: number;
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

/** A request of {@link HttpClient.request}. */
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

/** An HTTP failure: a non-retriable 4xx, or retries exhausted. The message names method, URL (secrets stripped) and status. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    /** HTTP status; `undefined` for network errors and timeouts. */
    readonly status: number | undefined,
    readonly method: string,
    /** URL with secrets stripped. */
    readonly url: string,
  ) {
    super(message);
  }
}

const RETRIABLE_STATUS = (status: number) => status === 429 || status === 408 || status >= 500;

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
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(options: HttpClientOptions = {}) {
    this.options = options;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.limiter = new RateLimiter(options.requestsPerSecond, this.sleep, this.now);
    const base = fetchTransport(options.fetch);
    this.transport = options.replayDir ? replayTransport(options.replayDir) : options.recordDir ? recordingTransport(options.recordDir, base) : base;
  }

  /** Sends a request, retrying transient failures; resolves with a 2xx response or throws {@link HttpError}. */
  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = buildUrl(this.options.baseUrl, request.url, request.query);
    const safeUrl = redactUrl(url);
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers, ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === 'string' ? request.body : serializeJson(request.body);
      headers['content-type'] ??= 'application/json';
    }
    const maxRetries = this.options.maxRetries ?? 5;
    const backoff = {
      baseDelayMs: this.options.baseDelayMs ?? 1000,
      maxDelayMs: this.options.maxDelayMs ?? 60_000,
      maxServerDelayMs: this.options.maxServerDelayMs ?? 900_000,
      random: this.options.random ?? Math.random,
    };
    for (let attempt = 0; ; attempt++) {
      await this.limiter.acquire();
      const started = performance.now();
      let response: TransportResponse | undefined;
      let failure: string;
      try {
        response = await this.transport({ method, url, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
      } catch (error) {
        if (error instanceof ReplayMissError) throw error;
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
        return { status: response.status, url, headers: response.headers, body: parseBody(response) as T };
      }
      if (response) {
        failure = `${response.status} ${response.statusText}`.trim();
        if (!RETRIABLE_STATUS(response.status)) {
          const detail = response.text.trim().slice(0, 300);
          throw new HttpError(redact(`${method} ${safeUrl} failed: ${failure}${detail ? `: ${detail}` : ''}`), response.status, method, safeUrl);
        }
      }
      if (attempt >= maxRetries) {
        throw new HttpError(redact(`${method} ${safeUrl} failed after ${attempt + 1} attempts: ${failure!}`), response?.status, method, safeUrl);
      }
      const delay = retryDelayMs(attempt, header, this.now(), backoff);
      this.options.logger?.warn('retrying HTTP request', { method, url: safeUrl, problem: failure!, attempt: attempt + 1, delay_ms: delay });
      await this.sleep(delay);
    }
  }

  /** GET a JSON document. */
  async get<T = unknown>(url: string, query?: Query, headers?: Record<string, string>): Promise<T> {
    return (await this.request<T>({ url, query, headers })).body;
  }

  /** Walks the pages of a listing; stop early by breaking out of the loop (no further page is fetched). */
  async *pages<T = unknown>(url: string, options: PaginateOptions<T>): AsyncGenerator<Page<T>> {
    const itemsOf = options.items ?? defaultItems<T>;
    let current: PageRequest | undefined = options.paginator.first({ url, query: { ...options.query } });
    for (let number = 1; current; number++) {
      const response = await this.request({ url: current.url, query: current.query, headers: options.headers });
      const items = itemsOf(response.body, response) ?? [];
      yield { items, response, number };
      current = options.paginator.next(current, response, items);
    }
  }

  /** Walks every item of a paginated listing. */
  async *paginate<T = unknown>(url: string, options: PaginateOptions<T>): AsyncGenerator<T> {
    for await (const page of this.pages(url, options)) yield* page.items;
  }
}
