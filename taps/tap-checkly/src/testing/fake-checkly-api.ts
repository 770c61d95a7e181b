import type { JsonRecord } from '@observes/protocol';
import { requireAuth, startFakeApi, type FakeApi, type FakeBehaviour, type FakeRequest, type FakeResponse } from '@observes/testkit';

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

const COLLECTIONS: readonly ChecklyCollection[] = [
  'checks',
  'check-groups',
  'check-statuses',
  'alert-channels',
  'dashboards',
  'maintenance-windows',
  'variables',
  'snippets',
];

const DAY_SECONDS = 86_400;

/** Options of {@link FakeChecklyApi.start}. */
export interface FakeChecklyOptions {
  /** API key accepted in `Authorization: Bearer`; default `cu_fake_key`. */
  apiKey?: string;
  /** Account id required in `X-Checkly-Account`; default `acc-fake`. */
  accountId?: string;
  /** Requests allowed per `windowSeconds` on `/v2/check-results` before 429 (Checkly documents 5 per 10 s). */
  resultsRateLimit?: { requests: number; windowSeconds: number };
  /**
   * How `/v1/reporting` treats an absent `deactivated`: `all` (the current spec) or `activated` (an older spec's
   * `false` default, which silently left deactivated checks out). Default `all`.
   */
  deactivatedDefault?: 'all' | 'activated';
  /** Extra behaviours run before auth (injected 429s and 5xx from `@observes/testkit`). */
  behaviours?: FakeBehaviour[];
}

/**
 * A local fake of the Checkly public API with mutable in-memory data, following its reference. Each behaviour
 * cites the page it follows:
 * - `Authorization: Bearer` + `X-Checkly-Account`: https://www.checklyhq.com/docs/api-reference/overview
 * - lists of bare JSON arrays paged by `limit` (1..100, default 10) and `page`
 * - raw check results on v2 (v1 is deprecated, "will be removed soon"): `GET /v2/check-results/{checkId}` with
 *   `from` (≥, unix seconds), `to` (<), `limit` (1..100, default 10), `resultType` (FINAL by default, ATTEMPT, ALL),
 *   `hasFailures`, `location`, and an opaque `nextId` cursor; `{length, entries, nextId}` with `nextId: null` on
 *   the last page; newest first; 5 requests per 10 s:
 *   https://www.checklyhq.com/docs/api-reference/check-results/lists-all-check-results-1
 * - `/v1/reporting` aggregates computed from the stored final results: `from`/`to` (else `quickRange`, default
 *   `last24Hrs`), `filterByTags`, `deactivated` (true: only deactivated checks, false: only activated, absent: all),
 *   `granularity` (day, week or month: `aggregates` per UTC bucket instead of `aggregate`, buckets without runs
 *   left out, at most 400 days and 120 buckets):
 *   https://www.checklyhq.com/docs/api-reference/reporting/generates-a-report-with-aggregate-statistics-for-checks-and-check-groups
 * - 429s without any rate-limit header (Checkly documents none)
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
    private readonly options: FakeChecklyOptions,
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
          path: '/v2/check-results/:checkId',
          behaviours: options.resultsRateLimit ? [windowRateLimit(options.resultsRateLimit)] : [],
          handler: (request) => api!.checkResults(request),
        },
        { path: '/v1/reporting', handler: (request) => api!.reporting(request) },
      ],
    });
    api = new FakeChecklyApi(server, options);
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

  private inWindow(checkId: string, from: number, to: number): JsonRecord[] {
    return (this.results.get(checkId) ?? []).filter((r) => {
      const started = Date.parse(r.startedAt as string) / 1000;
      return started >= from && started < to;
    });
  }

  private checkResults(request: FakeRequest): FakeResponse {
    const { from, to, limit, nextId, resultType = 'FINAL', hasFailures } = request.query;
    const size = limit === undefined ? 10 : Number(limit);
    if (!Number.isInteger(size) || size < 1 || size > 100) return badRequest('"limit" must be 1..100');
    if (!['FINAL', 'ATTEMPT', 'ALL'].includes(resultType)) return badRequest('"resultType" must be one of FINAL, ATTEMPT, ALL');
    const fromSeconds = from === undefined ? -Infinity : Number(from);
    const toSeconds = to === undefined ? Infinity : Number(to);
    if (Number.isNaN(fromSeconds) || Number.isNaN(toSeconds)) return badRequest('"from" and "to" must be unix seconds');
    const results = this.inWindow(request.params.checkId, fromSeconds, toSeconds)
      .filter((r) => resultType === 'ALL' || r.resultType === resultType)
      .filter((r) => hasFailures === undefined || String(r.hasFailures) === hasFailures)
      .sort((a, b) => Date.parse(b.startedAt as string) - Date.parse(a.startedAt as string) || String(a.id).localeCompare(String(b.id)));
    let offset = 0;
    if (nextId !== undefined) {
      offset = results.findIndex((r) => Buffer.from(String(r.id)).toString('base64url') === nextId);
      if (offset < 0) return badRequest('"nextId" is not a cursor of this listing');
    }
    const entries = results.slice(offset, offset + size);
    const next = results[offset + size];
    return { body: { length: entries.length, entries, nextId: next ? Buffer.from(String(next.id)).toString('base64url') : null } };
  }

  private reporting(request: FakeRequest): FakeResponse {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const quick = request.query.quickRange ?? 'last24Hrs';
    const days: Record<string, number> = { last24Hrs: 1, last7Days: 7, last30Days: 30 };
    const from = request.query.from !== undefined ? Number(request.query.from) : nowSeconds - (days[quick] ?? 1) * DAY_SECONDS;
    const to = request.query.to !== undefined ? Number(request.query.to) : nowSeconds;
    if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return badRequest('"from" and "to" must be unix seconds, from ≤ to');
    const granularity = request.query.granularity;
    if (granularity !== undefined && !['day', 'week', 'month'].includes(granularity)) return badRequest('"granularity" must be day, week or month');
    const buckets = granularity === undefined ? [{ from, to }] : calendarBuckets(from, to, granularity as 'day' | 'week' | 'month');
    if (granularity !== undefined && (to - from > 400 * DAY_SECONDS || buckets.length > 120))
      return badRequest('granular reports span at most 400 days and 120 buckets');
    const deactivated = request.query.deactivated;
    const tags = request.url.searchParams.getAll('filterByTags');
    const checks = this.items('checks').filter((check) => {
      if (tags.length > 0 && !tags.some((t) => (check.tags as string[]).includes(t))) return false;
      if (deactivated === 'true') return check.activated === false;
      if (deactivated === 'false' || (deactivated === undefined && this.options.deactivatedDefault === 'activated')) return check.activated !== false;
      return true;
    });
    const body = checks.map((check) => {
      const aggregates = buckets
        .map((bucket) => ({ bucket, runs: this.inWindow(check.id as string, bucket.from, bucket.to).filter((r) => r.resultType === 'FINAL') }))
        .filter(({ runs }) => granularity === undefined || runs.length > 0)
        .map(({ bucket, runs }) => ({
          ...aggregateOf(runs),
          ...(granularity === undefined ? {} : { from: new Date(bucket.from * 1000).toISOString(), to: new Date(bucket.to * 1000).toISOString() }),
        }));
      return {
        name: check.name,
        checkId: check.id,
        checkType: check.checkType,
        deactivated: check.activated === false,
        tags: check.tags,
        ...(granularity === undefined ? { aggregate: aggregates[0] } : { aggregates }),
      };
    });
    return { body };
  }
}

/** Success ratio (percent, four decimals), average and percentiles of some runs' response times. */
function aggregateOf(runs: JsonRecord[]): JsonRecord {
  const times = runs.map((r) => r.responseTime as number).sort((a, b) => a - b);
  const percentile = (p: number): number | null => (times.length ? times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] : null);
  return {
    successRatio: runs.length ? Math.round((1_000_000 * runs.filter((r) => !r.hasFailures).length) / runs.length) / 10_000 : null,
    avg: times.length ? Math.round(times.reduce((a, b) => a + b, 0) / times.length) : null,
    p95: percentile(0.95),
    p99: percentile(0.99),
  };
}

/** UTC calendar buckets covering [from, to), clamped to it. */
function calendarBuckets(from: number, to: number, granularity: 'day' | 'week' | 'month'): { from: number; to: number }[] {
  const buckets: { from: number; to: number }[] = [];
  const start = new Date(from * 1000);
  let cursor = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), granularity === 'month' ? 1 : start.getUTCDate());
  if (granularity === 'week') cursor -= ((new Date(cursor).getUTCDay() + 6) % 7) * DAY_SECONDS * 1000;
  while (cursor / 1000 < to) {
    const date = new Date(cursor);
    const end =
      granularity === 'month' ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) : cursor + (granularity === 'week' ? 7 : 1) * DAY_SECONDS * 1000;
    buckets.push({ from: Math.max(from, cursor / 1000), to: Math.min(to, end / 1000) });
    cursor = end;
  }
  return buckets;
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
