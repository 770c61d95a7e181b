import type { JsonRecord } from '@observes/protocol';
import { requireAuth, startFakeApi, type FakeApi, type FakeBehaviour, type FakeRequest, type FakeResponse } from '@observes/testkit';
import { RESULTS_WINDOW_SECONDS } from './result-windows.js';

/** The account-level collections the fake serves at `/v1/<collection>`. */
export type ChecklyCollection =
  | 'checks'
  | 'check-groups'
  | 'check-statuses'
  | 'alert-channels'
  | 'dashboards'
  | 'maintenance-windows'
  | 'variables'
  | 'snippets';

const COLLECTIONS: readonly ChecklyCollection[] = ['checks', 'check-groups', 'check-statuses', 'alert-channels', 'dashboards', 'maintenance-windows', 'variables', 'snippets'];

/** Options of {@link FakeChecklyApi.start}. */
export interface FakeChecklyOptions {
  /** API key accepted in `Authorization: Bearer`; default `cu_fake_key`. */
  apiKey?: string;
  /** Account id required in `X-Checkly-Account`; default `acc-fake`. */
  accountId?: string;
  /** Requests allowed per `windowSeconds` on `/v1/check-results` before 429 (Checkly documents 5 per 10 s). */
  resultsRateLimit?: { requests: number; windowSeconds: number };
  /** Extra behaviours run before auth (injected 429s and 5xx from `@observes/testkit`). */
  behaviours?: FakeBehaviour[];
}

/**
 * A local fake of the Checkly public API v1 with mutable in-memory data, following its reference:
 * `Authorization: Bearer` + `X-Checkly-Account`; `limit` (1..100, default 10) and `page` pagination of bare JSON
 * arrays; check results by `from` (inclusive) and `to` (exclusive) unix seconds at most six hours apart, newest
 * first, with their own rate limit; `/v1/reporting` aggregates computed from the stored results.
 * Like Checkly, its 429s carry no rate-limit headers.
 */
export class FakeChecklyApi {
  /** `http://127.0.0.1:<port>`, the tap's `api_url`. */
  readonly apiUrl: string;
  /** Raw check results by check id (`startedAt` decides the window they fall in). */
  readonly results = new Map<string, JsonRecord[]>();
  private readonly collections = new Map<ChecklyCollection, JsonRecord[]>();

  private constructor(
    /** The server: its `requests` log says what the tap asked for. */
    readonly server: FakeApi,
  ) {
    this.apiUrl = server.url;
  }

  /** Starts the fake on an ephemeral loopback port. */
  static async start(options: FakeChecklyOptions = {}): Promise<FakeChecklyApi> {
    let api: FakeChecklyApi | undefined;
    const account: FakeBehaviour = async (request, next) =>
      request.headers['x-checkly-account'] === (options.accountId ?? 'acc-fake')
        ? next()
        : { status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'Unknown account' } };
    const server = await startFakeApi({
      behaviours: [...(options.behaviours ?? []), requireAuth({ header: 'authorization', value: `Bearer ${options.apiKey ?? 'cu_fake_key'}` }), account],
      routes: [
        ...COLLECTIONS.filter((c) => c !== 'check-statuses').map((collection) => ({
          path: `/v1/${collection}`,
          handler: (request: FakeRequest) => page(api!.items(collection), request),
        })),
        // Not paginated: one status per check.
        { path: '/v1/check-statuses', handler: () => ({ body: api!.items('check-statuses') }) },
        {
          path: '/v1/check-results/:checkId',
          behaviours: options.resultsRateLimit ? [windowRateLimit(options.resultsRateLimit)] : [],
          handler: (request) => api!.checkResults(request),
        },
        { path: '/v1/reporting', handler: (request) => api!.reporting(request) },
      ],
    });
    api = new FakeChecklyApi(server);
    return api;
  }

  /** The live items of a collection (mutate them to simulate updates). */
  items(collection: ChecklyCollection): JsonRecord[] {
    let items = this.collections.get(collection);
    if (!items) this.collections.set(collection, (items = []));
    return items;
  }

  /** Adds a raw result of check `result.checkId`. */
  addResult(result: JsonRecord): void {
    const checkId = result.checkId as string;
    this.results.set(checkId, [...(this.results.get(checkId) ?? []), result]);
  }

  /** Stops the server. */
  close(): Promise<void> {
    return this.server.close();
  }

  private window(request: FakeRequest): { from: number; to: number } | FakeResponse {
    const { from: fromText, to: toText } = request.query;
    const now = Math.floor(Date.now() / 1000);
    const to = toText !== undefined ? Number(toText) : fromText !== undefined ? Number(fromText) + RESULTS_WINDOW_SECONDS : now;
    const from = fromText !== undefined ? Number(fromText) : to - RESULTS_WINDOW_SECONDS;
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) return badRequest('"from" and "to" must be unix seconds, from ≤ to');
    return { from, to };
  }

  private inWindow(checkId: string, from: number, to: number): JsonRecord[] {
    return (this.results.get(checkId) ?? []).filter((r) => {
      const started = Date.parse(r.startedAt as string) / 1000;
      return started >= from && started < to;
    });
  }

  private checkResults(request: FakeRequest): FakeResponse {
    const window = this.window(request);
    if (!('from' in window)) return window;
    if (window.to - window.from > RESULTS_WINDOW_SECONDS) return badRequest('"from" and "to" must be at most 6 hours apart');
    const results = this.inWindow(request.params.checkId, window.from, window.to).sort(
      (a, b) => Date.parse(b.startedAt as string) - Date.parse(a.startedAt as string),
    );
    return page(results, request);
  }

  private reporting(request: FakeRequest): FakeResponse {
    const window = this.window(request);
    if (!('from' in window)) return window;
    const body = this.items('checks').map((check) => {
      const runs = this.inWindow(check.id as string, window.from, window.to);
      const times = runs.map((r) => r.responseTime as number).sort((a, b) => a - b);
      const percentile = (p: number): number | null => (times.length ? times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] : null);
      return {
        name: check.name,
        checkId: check.id,
        checkType: check.checkType,
        deactivated: !check.activated,
        tags: check.tags,
        aggregate: {
          successRatio: runs.length ? Math.round((10000 * runs.filter((r) => !r.hasFailures).length) / runs.length) / 100 : null,
          avg: times.length ? Math.round(times.reduce((a, b) => a + b, 0) / times.length) : null,
          p95: percentile(0.95),
          p99: percentile(0.99),
        },
      };
    });
    return { body };
  }
}

/** Checkly's `limit` (1..100, default 10) and 1-based `page` over a bare array. */
function page(items: JsonRecord[], request: FakeRequest): FakeResponse {
  const limit = Number(request.query.limit ?? 10);
  const pageNumber = Number(request.query.page ?? 1);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(pageNumber) || pageNumber < 1) {
    return badRequest('"limit" must be 1..100 and "page" a positive integer');
  }
  return { body: items.slice((pageNumber - 1) * limit, pageNumber * limit) };
}

/** A sliding-window limit answering a bare 429, as Checkly does. */
function windowRateLimit(limit: { requests: number; windowSeconds: number }): FakeBehaviour {
  const recent: number[] = [];
  return async (_request, next) => {
    const now = Date.now();
    while (recent.length > 0 && recent[0] <= now - limit.windowSeconds * 1000) recent.shift();
    if (recent.length >= limit.requests) return { status: 429, body: { statusCode: 429, error: 'Too Many Requests', message: 'Rate limit exceeded' } };
    recent.push(now);
    return next();
  };
}

function badRequest(message: string): FakeResponse {
  return { status: 400, body: { statusCode: 400, error: 'Bad Request', message } };
}
