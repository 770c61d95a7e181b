import { randomBytes } from 'node:crypto';
import type { JsonRecord } from '@observes/protocol';
import { startFakeApi, type FakeApi, type FakeBehaviour, type FakeRequest, type FakeResponse } from '@observes/testkit';

/**
 * Sources of the behaviours below (read 2026-12):
 * - REF: the Time Doctor API reference, https://timedoctor.redoc.ly (API version 1.0.0): "Auth Token/Key",
 *   "Request/Response Format", Auth › login.
 * - RETENTION: "How Long Does Time Doctor Keep My Account Data For?",
 *   https://support2.timedoctor.com/knowledge/how-long-does-time-doctor-keep-my-account-data-for
 *   (and, for Time Doctor Classic, help.timedoctor.com "Data retention policy": work logs 1 year, screenshots 6 months).
 * - CLIENT: notes of a public client of the live API, integrations/timedoctor.py (GitHub code search, "confirmed
 *   live 2026-06-16"): data as per-user arrays, `user=` needed for more than the token's own user, answers cut short
 *   when large, `/files` for screenshot metadata, `page`/`limit`.
 * - MCP: WYRE-AI/timedoctor-mcp src/client.ts and src/tools/activity.ts: `Authorization: JWT <token>`, `from`
 *   inclusive and `to` exclusive, "query <=7-day windows", `/companies` entries with `role` and `company`.
 */

/** Options of {@link FakeTimedoctorApi.start}. */
export interface FakeTimedoctorOptions {
  /** Account email and password `POST /login` accepts. */
  email?: string;
  password?: string;
  /** Lifetime of a login token in ms; REF: "The token is valid for six months". */
  tokenTtlMs?: number;
  /** The server's clock (history window, token expiry). Default the real one. */
  now?: () => Date;
  /**
   * Months (the current one included) the activity endpoints still serve; windows starting before answer as
   * {@link historyAnswer} says. RETENTION gives three years in the web app for Time Doctor 2 (one year for
   * screenshots, after which data is in "cold storage … only available upon special request"); the product has seen
   * far less through the API, hence a small default.
   */
  historyMonths?: number;
  /** How a window older than the history answers: no rows (`empty`, the default) or a 400 (`error`). Neither is documented. */
  historyAnswer?: 'empty' | 'error';
  /** Longest `from`..`to` in days; longer answers 400 (the reference gives no maximum; MCP advises ≤ 7 days). */
  maxRangeDays?: number;
  /** Largest `limit` honoured: a bigger one is silently capped (the reference gives no maximum). */
  maxLimit?: number;
  /** Answers longer than this many bytes are cut there, with status 200 (CLIENT: 14 MB cut mid-string). */
  truncateAboveBytes?: number;
  /** Extra behaviours run before auth (injected 429s and 5xx from `@observes/testkit`). */
  behaviours?: FakeBehaviour[];
}

/** What the fake keeps per company. */
export type TimedoctorCollection = 'users' | 'projects' | 'tasks' | 'worklogs' | 'files';

const DAY_MS = 86_400_000;

/**
 * A local fake of the Time Doctor 2 API (version 1.0) serving mutable in-memory data, built from the sources listed
 * above: email/password login returning an expiring token, `Authorization: JWT <token>` (or the older `?token=`),
 * company scoping, `page`/`limit` listings under `{"data": [...]}`, per-user worklog arrays, a date-range limit, a
 * history window, answers cut short when large, and injected 429/5xx.
 */
export class FakeTimedoctorApi {
  /** `http://127.0.0.1:<port>/api/1.0`, the tap's `api_url`. */
  readonly apiUrl: string;
  readonly email: string;
  readonly password: string;
  /** Options that tests may change between runs (`historyMonths`, `now`, `truncateAboveBytes`…). */
  readonly options: FakeTimedoctorOptions;
  /** Tokens issued, with their expiry (ms). */
  readonly tokens = new Map<string, number>();
  private readonly companies = new Map<string, { id: string; name: string; role: string }>();
  private readonly data = new Map<string, JsonRecord[]>();

  private constructor(
    /** The server: its `requests` log says what the tap asked for. */
    readonly server: FakeApi,
    options: FakeTimedoctorOptions,
  ) {
    this.apiUrl = `${server.url}/api/1.0`;
    this.email = options.email ?? 'etl@example.com';
    this.password = options.password ?? 'fake-password-123';
    this.options = options;
  }

  /** Starts the fake on an ephemeral loopback port. */
  static async start(options: FakeTimedoctorOptions = {}): Promise<FakeTimedoctorApi> {
    let api: FakeTimedoctorApi | undefined;
    const server = await startFakeApi({
      behaviours: [
        ...(options.behaviours ?? []),
        (_request, next) => api!.truncate(next),
        async (request, next) => (request.path === '/api/1.0/login' ? next() : api!.authenticate(request, next)),
      ],
      routes: [
        { method: 'POST', path: '/api/1.0/login', handler: (request) => api!.login(request) },
        { path: '/api/1.0/companies', handler: () => ({ body: { data: [...api!.companies.values()].map(({ role, ...company }) => ({ role, company })) } }) },
        { path: '/api/1.0/users', handler: (r) => api!.scoped(r, (company) => api!.paged(r, api!.items('users', company))) },
        { path: '/api/1.0/projects', handler: (r) => api!.scoped(r, (company) => api!.paged(r, api!.items('projects', company))) },
        { path: '/api/1.0/tasks', handler: (r) => api!.scoped(r, (company) => api!.paged(r, api!.items('tasks', company))) },
        { path: '/api/1.0/activity/worklog', handler: (r) => api!.scoped(r, (company) => api!.activity(r, company, 'worklogs', 'start', true)) },
        { path: '/api/1.0/files', handler: (r) => api!.scoped(r, (company) => api!.activity(r, company, 'files', 'date', false)) },
      ],
    });
    api = new FakeTimedoctorApi(server, options);
    return api;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Adds a company the account has `role` in (`owner`, `admin`, `manager`, `user`). */
  addCompany(id: string, name: string, role = 'owner'): void {
    this.companies.set(id, { id, name, role });
  }

  /** The live items of a company's collection (mutate them to simulate edits and deletions). */
  items(collection: TimedoctorCollection, company: string): JsonRecord[] {
    const key = `${collection}:${company}`;
    let items = this.data.get(key);
    if (!items) this.data.set(key, (items = []));
    return items;
  }

  /** Makes every token issued so far expire now (a run that outlives its token). */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** Stops the server. */
  close(): Promise<void> {
    return this.server.close();
  }

  /** REF, Auth › login: `{email, password, totpCode?, permissions}` → `{data: {token, expires, createdAt}}`. */
  private login(request: FakeRequest): FakeResponse {
    let body: { email?: string; password?: string };
    try {
      body = JSON.parse(request.body) as typeof body;
    } catch {
      return { status: 400, body: { message: 'Invalid JSON body' } };
    }
    if (body.email !== this.email || body.password !== this.password) return { status: 401, body: { message: 'Invalid email or password' } };
    const token = `td-${randomBytes(12).toString('hex')}`;
    const created = this.now();
    const expires = new Date(created.getTime() + (this.options.tokenTtlMs ?? 182 * DAY_MS));
    this.tokens.set(token, expires.getTime());
    return { body: { data: { token, expires: expires.toISOString(), createdAt: created.toISOString() } } };
  }

  /**
   * REF, "Auth Token/Key": the token goes in `Authorization: JWT {token}`; an older revision of the same page
   * says "as a query parameter named token", which clients still use (CLIENT): both are accepted.
   */
  private authenticate(request: FakeRequest, next: () => Promise<FakeResponse>): Promise<FakeResponse> | FakeResponse {
    const header = /^JWT (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const token = header ?? request.query.token;
    const expires = token === undefined ? undefined : this.tokens.get(token);
    if (expires === undefined) return { status: 401, body: { message: 'Unauthorized' } };
    if (expires <= this.now().getTime()) return { status: 401, body: { message: 'Token expired' } };
    return next();
  }

  /** CLIENT: "Every call also needs the company id as ?company=<id>"; a company the account is not in answers 403. */
  private scoped(request: FakeRequest, handler: (company: string) => FakeResponse): FakeResponse {
    const company = request.query.company;
    if (!company) return { status: 400, body: { message: 'company is required' } };
    if (!this.companies.has(company)) return { status: 403, body: { message: "You don't have permission" } };
    return handler(company);
  }

  /** `page` from 0 and `limit` (CLIENT; `page=0` in clients' code), `limit` capped at {@link FakeTimedoctorOptions.maxLimit}. */
  private pageOf<T>(request: FakeRequest, items: T[]): T[] {
    const limit = Math.min(Number(request.query.limit ?? 100), this.options.maxLimit ?? 1000);
    const page = Number(request.query.page ?? 0);
    return items.slice(page * limit, (page + 1) * limit);
  }

  /** REF, "Request/Response Format": lists come as `{"data": [...]}`. */
  private paged(request: FakeRequest, items: JsonRecord[]): FakeResponse {
    return {
      body: {
        data: this.pageOf(
          request,
          [...items].sort((a, b) => String(a.id).localeCompare(String(b.id))),
        ),
      },
    };
  }

  /**
   * Activity of `from` (inclusive) to `to` (exclusive) (MCP), for the users of `user=` (CLIENT: without it, the
   * token's own user only, here the company's first user), rows by start. Worklogs answer `data[i]` = the rows of the
   * i-th requested user (CLIENT: "data as a list of per-user arrays"), paged over all rows; files answer one list.
   */
  private activity(request: FakeRequest, company: string, collection: TimedoctorCollection, time: string, perUser: boolean): FakeResponse {
    const from = Date.parse(request.query.from ?? '');
    const to = Date.parse(request.query.to ?? '');
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return { status: 400, body: { message: 'from and to must be dates, from before to' } };
    const maxDays = this.options.maxRangeDays ?? 31;
    if (to - from > maxDays * DAY_MS) return { status: 400, body: { message: `The date range cannot exceed ${maxDays} days` } };
    const users = request.query.user ? request.query.user.split(',') : [String(this.items('users', company)[0]?.id)];
    const now = this.now();
    const served = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - ((this.options.historyMonths ?? 3) - 1), 1);
    const forgotten = from < served;
    if (forgotten && this.options.historyAnswer === 'error') return { status: 400, body: { message: 'Data older than the retention period is not available' } };
    const rows = forgotten
      ? []
      : this.items(collection, company)
          .filter((row) => users.includes(String(row.userId)) && Date.parse(String(row[time])) >= from && Date.parse(String(row[time])) < to)
          .sort((a, b) => users.indexOf(String(a.userId)) - users.indexOf(String(b.userId)) || Date.parse(String(a[time])) - Date.parse(String(b[time])));
    const page = this.pageOf(request, rows);
    const data = perUser ? users.map((user) => page.filter((row) => String(row.userId) === user)) : page;
    return { body: { data } };
  }

  /** CLIENT: a large answer arrives cut off mid-string, with status 200. */
  private async truncate(next: () => Promise<FakeResponse>): Promise<FakeResponse> {
    const response = await next();
    const limit = this.options.truncateAboveBytes;
    if (limit === undefined || response.body === undefined || typeof response.body === 'string') return response;
    const text = JSON.stringify(response.body);
    return text.length > limit ? { ...response, headers: { ...response.headers, 'content-type': 'application/json' }, body: text.slice(0, limit) } : response;
  }
}
