import { randomBytes } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { ZipFile } from 'yazl';
import { startFakeApi, type FakeApi, type FakeBehaviour, type FakeRequest, type FakeResponse } from '@observes/testkit';
import { BULK_MODULES } from '../zoho-modules.js';
import { fakeFields, fakeRecords, fakeUsers, type FakeFieldMeta, type FakeRecord } from './fake-zoho-data.js';

/** Options of {@link FakeZoho.start}. */
export interface FakeZohoOptions {
  /** Records per bulk module; default 3 each. */
  records?: Record<string, number>;
  /** Records per export page; Zoho's is 200,000. Default 200,000. */
  perPage?: number;
  /** Time a job spends in each of ADDED, QUEUED and IN PROGRESS, ms; default 20. */
  jobStepMs?: number;
  /** Instead of time, a job's state follows its status checks: ADDED, QUEUED, IN PROGRESS, then done at this check. */
  statusChecksToComplete?: number;
  /** Modules whose jobs end in FAILURE. */
  failModules?: string[];
  /** Jobs running at once before job creation is refused; default 10. */
  maxRunningJobs?: number;
  /** Age after which a result can no longer be downloaded, ms; default a day. */
  resultTtlMs?: number;
  /** Downloads per minute before 429; Zoho's is 10. */
  downloadsPerMinute?: number;
  /** `expires_in` of the access tokens, seconds; default 3600. */
  tokenTtlSeconds?: number;
  /** How long an access token really works, ms (less than `expires_in` to test INVALID_TOKEN); default `expires_in`. */
  tokenLifetimeMs?: number;
  /** Access tokens one refresh token may mint in ten minutes; Zoho's is 10. */
  tokensPerTenMinutes?: number;
  /** `Retry-After` of its 429 answers, seconds; Zoho documents none, so absent by default. */
  retryAfterSeconds?: number;
  /** Extra behaviours of the CRM API server (429s, 5xx, delays), run after auth. */
  apiBehaviours?: FakeBehaviour[];
  /** The fake's clock (token lifetimes, job states, result expiry, download windows); default `Date.now`. */
  now?: () => number;
}

/** A bulk read job of the fake. */
export interface FakeJob {
  id: string;
  module: string;
  fields: string[];
  page: number;
  createdAt: number;
  /** The page's records, as of creation. */
  rows: FakeRecord[];
  moreRecords: boolean;
  nextPageToken?: string;
  fails: boolean;
  /** Its result was deleted before its expiry (see {@link FakeZoho.dropResults}). */
  gone?: boolean;
  /** States the status call answered, in order. */
  served: string[];
}

const error = (status: number, code: string, message: string): FakeResponse => ({ status, body: { code, details: {}, message, status: 'error' } });
const INVALID_TOKEN = error(401, 'INVALID_TOKEN', 'invalid oauth token');
const STEPS = ['ADDED', 'QUEUED', 'IN PROGRESS'];
const TEN_MINUTES = 10 * 60_000;

/**
 * A local Zoho: an accounts server (the refresh-token grant) and a CRM API server at another address (the
 * `api_domain` its tokens name), with fields metadata, users, and the Bulk Read API: jobs that go ADDED → QUEUED →
 * IN PROGRESS → COMPLETED (or FAILURE) over time, zipped CSV results paged with `more_records` and
 * `next_page_token`, results that expire, a limit on running jobs, 429 beyond 10 downloads a minute, tokens that
 * expire. Each behaviour cites the page it follows.
 */
export class FakeZoho {
  /** Credentials the accounts server accepts. */
  readonly clientId = `1000.${randomBytes(12).toString('hex').toUpperCase()}`;
  readonly clientSecret = randomBytes(20).toString('hex');
  readonly refreshToken = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
  /** Every access token issued, in order. */
  readonly issuedTokens: string[] = [];
  /** The data, by module; change it between runs. */
  readonly records = new Map<string, FakeRecord[]>();
  readonly fields = new Map<string, FakeFieldMeta[]>();
  readonly users = fakeUsers();
  /** Every job created, by id. */
  readonly jobs = new Map<string, FakeJob>();
  /** Credits spent, per Zoho's table (bulk read job 50, other calls 1). */
  credits = 0;
  /** Most jobs seen running at once. */
  maxRunningSeen = 0;
  /** Modules whose next jobs fail; change it between runs. */
  failModules: Set<string>;
  private readonly tokens = new Map<string, number>();
  private readonly mints: number[] = [];
  private readonly downloads: number[] = [];
  private readonly pageTokens = new Map<string, { job: FakeJob; createdAt: number }>();
  private jobCount = 0;
  private readonly now: () => number;
  private accounts!: FakeApi;
  private api!: FakeApi;

  private constructor(private readonly options: FakeZohoOptions) {
    for (const module of BULK_MODULES) {
      this.fields.set(module, fakeFields(module));
      this.records.set(module, fakeRecords(module, options.records?.[module] ?? 3));
    }
    this.failModules = new Set(options.failModules ?? []);
    this.now = options.now ?? Date.now;
  }

  /** Starts both servers on 127.0.0.1. */
  static async start(options: FakeZohoOptions = {}): Promise<FakeZoho> {
    const fake = new FakeZoho(options);
    fake.accounts = await startFakeApi({ routes: [{ method: 'POST', path: '/oauth/v2/token', handler: (r) => fake.token(r) }] });
    fake.api = await startFakeApi({
      behaviours: [(request, next) => fake.authorize(request, next), ...(options.apiBehaviours ?? [])],
      routes: [
        { path: '/crm/v8/settings/fields', handler: (r) => fake.fieldsMetadata(r) },
        { path: '/crm/v8/users', handler: (r) => fake.listUsers(r) },
        { method: 'POST', path: '/crm/bulk/v8/read', handler: (r) => fake.createJob(r) },
        { path: '/crm/bulk/v8/read/:id', handler: (r) => fake.jobStatus(r) },
        { path: '/crm/bulk/v8/read/:id/result', handler: (r) => fake.download(r) },
      ],
    });
    return fake;
  }

  /** The accounts server, for the tap's `accounts_url`. */
  get accountsUrl(): string {
    return this.accounts.url;
  }

  /** The CRM API's root, which the accounts server names as `api_domain`. */
  get apiDomain(): string {
    return this.api.url;
  }

  /** Requests the CRM API server received. */
  get apiRequests() {
    return this.api.requests;
  }

  /** Requests the accounts server received. */
  get accountsRequests() {
    return this.accounts.requests;
  }

  /** A tap config for this fake. */
  config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { client_id: this.clientId, client_secret: this.clientSecret, refresh_token: this.refreshToken, accounts_url: this.accountsUrl, ...overrides };
  }

  /** Every value that must never show up in any output: the credentials and each access token issued. */
  secrets(): string[] {
    return [this.clientId, this.clientSecret, this.refreshToken, ...this.issuedTokens];
  }

  /** Makes every access token issued so far invalid (the API answers INVALID_TOKEN), as an expiry or a revocation would. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Deletes the results of the jobs so far (of one module), as if Zoho dropped them before their documented expiry. */
  dropResults(module?: string): void {
    for (const job of this.jobs.values()) if (module === undefined || job.module === module) job.gone = true;
  }

  /** Ages the jobs so far (of one module) by `ms`: results and page tokens expire, as if the load ran that much later. */
  ageJobs(ms: number, module?: string): void {
    for (const job of this.jobs.values()) if (module === undefined || job.module === module) job.createdAt -= ms;
    for (const token of this.pageTokens.values()) if (module === undefined || token.job.module === module) token.createdAt -= ms;
  }

  /** The jobs of a module, in creation order. */
  jobsOf(module: string): FakeJob[] {
    return [...this.jobs.values()].filter((job) => job.module === module);
  }

  async close(): Promise<void> {
    await Promise.all([this.accounts?.close(), this.api?.close()]);
  }

  /**
   * The refresh-token grant, `POST /oauth/v2/token` with `grant_type=refresh_token`, `client_id`, `client_secret`,
   * `refresh_token` (query or form body) → `{access_token, api_domain, token_type: "Bearer", expires_in: 3600}`
   * (https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html). "Using a refresh token, your
   * app can create up to ten access tokens in a span of ten minutes"; beyond, the creation is blocked.
   */
  private token(request: FakeRequest): FakeResponse {
    const params = new URLSearchParams(request.url.search);
    for (const [key, value] of new URLSearchParams(request.body)) params.set(key, value);
    if (params.get('grant_type') !== 'refresh_token') return { body: { error: 'unsupported_grant_type' } };
    // Zoho answers refusals with an `error` key (its SDK reads it: zohocrm-typescript-sdk-8.0 oauth_token.ts).
    if (params.get('client_id') !== this.clientId || params.get('client_secret') !== this.clientSecret) return { body: { error: 'invalid_client' } };
    if (params.get('refresh_token') !== this.refreshToken) return { body: { error: 'invalid_code' } };
    const now = this.now();
    while (this.mints.length > 0 && this.mints[0] <= now - TEN_MINUTES) this.mints.shift();
    if (this.mints.length >= (this.options.tokensPerTenMinutes ?? 10)) {
      return {
        status: 400,
        body: {
          error_description: 'You have made too many requests continuously. Please try again after some time.',
          error: 'Access Denied',
          status: 'failure',
        },
      };
    }
    this.mints.push(now);
    const ttl = this.options.tokenTtlSeconds ?? 3600;
    const accessToken = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    this.tokens.set(accessToken, now + (this.options.tokenLifetimeMs ?? ttl * 1000));
    this.issuedTokens.push(accessToken);
    return {
      body: {
        access_token: accessToken,
        scope: 'ZohoCRM.bulk.READ ZohoCRM.modules.READ ZohoCRM.settings.fields.READ ZohoCRM.users.READ',
        api_domain: this.apiDomain,
        token_type: 'Bearer',
        expires_in: ttl,
      },
    };
  }

  /** 429 TOO_MANY_REQUESTS, with `Retry-After` when the options ask for one. */
  private tooMany(message: string): FakeResponse {
    const answer = error(429, 'TOO_MANY_REQUESTS', message);
    return this.options.retryAfterSeconds === undefined ? answer : { ...answer, headers: { 'retry-after': String(this.options.retryAfterSeconds) } };
  }

  /** `Authorization: Zoho-oauthtoken <token>`; an unknown or expired token gets 401 INVALID_TOKEN ("You have used an invalid oauth token"). */
  private async authorize(request: FakeRequest, next: () => Promise<FakeResponse>): Promise<FakeResponse> {
    const match = /^Zoho-oauthtoken (\S+)$/.exec(String(request.headers.authorization ?? ''));
    const expiresAt = match ? this.tokens.get(match[1]) : undefined;
    if (expiresAt === undefined || expiresAt <= this.now()) return INVALID_TOKEN;
    return next();
  }

  /** `GET /crm/v8/settings/fields?module=…` → `{fields: [...]}` (https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html). 1 credit. */
  private fieldsMetadata(request: FakeRequest): FakeResponse {
    const fields = this.fields.get(request.query.module);
    if (!fields) return error(400, 'INVALID_MODULE', 'the module name given seems to be invalid');
    this.credits += 1;
    return { body: { fields } };
  }

  /** `GET /crm/v8/users?type=AllUsers&page&per_page` (at most 200) → `{users, info: {per_page, count, page, more_records}}`. 1 credit. */
  private listUsers(request: FakeRequest): FakeResponse {
    this.credits += 1;
    const perPage = Math.min(Number(request.query.per_page ?? 200), 200);
    const page = Number(request.query.page ?? 1);
    const users = this.users.slice((page - 1) * perPage, page * perPage);
    if (users.length === 0) return { status: 204 };
    return { body: { users, info: { per_page: perPage, count: users.length, page, more_records: page * perPage < this.users.length } } };
  }

  private state(job: FakeJob, now = this.now()): string {
    const checks = this.options.statusChecksToComplete;
    const step =
      checks === undefined
        ? Math.floor((now - job.createdAt) / (this.options.jobStepMs ?? 20))
        : job.served.length >= checks - 1
          ? STEPS.length
          : Math.min(job.served.length, STEPS.length - 1);
    if (step < STEPS.length) return STEPS[step];
    return job.fails ? 'FAILURE' : 'COMPLETED';
  }

  private running(now = this.now()): number {
    return [...this.jobs.values()].filter((job) => STEPS.includes(this.state(job, now))).length;
  }

  /**
   * `POST /crm/bulk/v8/read` with `{"query": {"module": {"api_name"}, "fields", "page"}}` or `{"query": {"page_token"}}`
   * → 201 `{"data": [{"status": "success", "code": "ADDED_SUCCESSFULLY", "details": {"id", "state": "ADDED", …}}]}`;
   * 415 MEDIA_TYPE_NOT_SUPPORTED without a JSON content type (https://www.zoho.com/crm/developer/docs/api/v7/bulk-read/create-job.html).
   * 50 credits. Refusals the pages do not spell out (a field of an unsupported type, a stale page token, too many
   * running jobs) use the codes of Zoho's generic errors: INVALID_DATA, and 429 TOO_MANY_REQUESTS as for its
   * concurrency limits (https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html).
   */
  private createJob(request: FakeRequest): FakeResponse {
    if (!/application\/json/.test(String(request.headers['content-type'] ?? ''))) return error(415, 'MEDIA_TYPE_NOT_SUPPORTED', 'Media type is not supported.');
    const query =
      (JSON.parse(request.body || '{}') as { query?: { module?: { api_name?: string }; fields?: string[]; page?: number; page_token?: string } }).query ?? {};
    const now = this.now();
    let module: string;
    let fields: string[];
    let page: number;
    if (query.page_token !== undefined) {
      // "The page token will be active for a maximum of 24 hours."
      const token = this.pageTokens.get(query.page_token);
      if (!token || token.createdAt <= now - 24 * 3_600_000) return error(400, 'INVALID_DATA', 'the page_token is invalid or expired');
      ({ module, fields } = token.job);
      page = token.job.page + 1;
    } else {
      module = query.module?.api_name ?? '';
      fields = query.fields ?? [];
      page = query.page ?? 1;
      const known = this.fields.get(module);
      if (!known) return error(400, 'INVALID_MODULE', 'the module name given seems to be invalid');
      const bad = fields.filter((name) => !known.some((f) => f.api_name === name && !['fileupload', 'multiselectlookup', 'subform'].includes(f.data_type)));
      if (bad.length > 0) return error(400, 'INVALID_DATA', `fields not supported in bulk read: ${bad.join(', ')}`);
      // "To fetch more than 200,000 records, you must include the page_token key."
      if (page > 1) return error(400, 'INVALID_DATA', 'use page_token to fetch beyond the first page');
    }
    if (this.running(now) >= (this.options.maxRunningJobs ?? 10)) return this.tooMany('too many bulk read jobs in progress');
    this.credits += 50;
    const perPage = this.options.perPage ?? 200_000;
    const all = this.records.get(module)!;
    const id = `57257670000${String(8_590_000 + ++this.jobCount).padStart(8, '0')}`;
    const job: FakeJob = {
      id,
      module,
      fields,
      page,
      createdAt: now,
      rows: all.slice((page - 1) * perPage, page * perPage),
      moreRecords: page * perPage < all.length,
      fails: this.failModules.has(module),
      served: [],
    };
    if (job.moreRecords) {
      job.nextPageToken = randomBytes(24).toString('hex');
      this.pageTokens.set(job.nextPageToken, { job, createdAt: now });
    }
    this.jobs.set(id, job);
    this.maxRunningSeen = Math.max(this.maxRunningSeen, this.running(now));
    return {
      status: 201,
      body: {
        data: [
          {
            status: 'success',
            code: 'ADDED_SUCCESSFULLY',
            message: 'Added successfully.',
            details: {
              id,
              operation: 'read',
              state: 'ADDED',
              created_by: { id: '5725767000000411001', name: 'Patricia Boyle' },
              created_time: new Date(now).toISOString(),
            },
          },
        ],
        info: {},
      },
    };
  }

  /**
   * `GET /crm/bulk/v8/read/{job_id}`: the job with its state; a COMPLETED one with `result: {page, per_page, count,
   * download_url, more_records, next_page_token}`, a failed one with `state: "FAILURE"` and `result.error_message`
   * (https://www.zoho.com/crm/developer/docs/api/v7/bulk-read/job-details.html). Unknown id: 404 RESOURCE_NOT_FOUND.
   */
  private jobStatus(request: FakeRequest): FakeResponse {
    this.credits += 1;
    const job = this.jobs.get(request.params.id);
    if (!job) return error(404, 'RESOURCE_NOT_FOUND', "The requested resource doesn't exist.");
    const state = this.state(job);
    job.served.push(state);
    const body: Record<string, unknown> = {
      id: job.id,
      operation: 'read',
      state,
      query: { module: { id: '5725767000000002175', api_name: job.module }, page: job.page },
      created_by: { id: '5725767000000411001', name: 'Patricia Boyle' },
      created_time: new Date(job.createdAt).toISOString(),
      file_type: 'csv',
    };
    if (state === 'COMPLETED') {
      body.result = {
        page: job.page,
        per_page: this.options.perPage ?? 200_000,
        count: job.rows.length,
        download_url: `/crm/bulk/v8/read/${job.id}/result`,
        more_records: job.moreRecords,
        ...(job.nextPageToken ? { next_page_token: job.nextPageToken } : {}),
      };
    }
    if (state === 'FAILURE')
      body.result = { error_message: { status: 'error', code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error occurred.', details: {} } };
    return { body: { data: [body] } };
  }

  /**
   * `GET /crm/bulk/v8/read/{job_id}/result`: a zip holding `{job_id}.csv` ("Response contains a compressed file
   * {job_id}.zip, which contains the result as a {job_id}.csv file"), the `id` column first, date-times in ISO 8601
   * (https://www.zoho.com/crm/developer/docs/api/v7/bulk-read/download-result.html). "Only 10 requests for download are
   * allowed for one-minute interval … HTTP code 429." A result older than its expiry (a day) is gone: 404.
   */
  private async download(request: FakeRequest): Promise<FakeResponse> {
    const job = this.jobs.get(request.params.id);
    const now = this.now();
    if (!job || job.gone || this.state(job, now) !== 'COMPLETED' || job.createdAt <= now - (this.options.resultTtlMs ?? 24 * 3_600_000)) {
      return error(404, 'RESOURCE_NOT_FOUND', "The requested resource doesn't exist.");
    }
    while (this.downloads.length > 0 && this.downloads[0] <= now - 60_000) this.downloads.shift();
    if (this.downloads.length >= (this.options.downloadsPerMinute ?? 10))
      return this.tooMany('Only 10 requests for download are allowed for one-minute interval');
    this.downloads.push(now);
    this.credits += 1;
    return {
      headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${job.id}.zip"` },
      body: await zipCsv(`${job.id}.csv`, csvOf(job)),
    };
  }
}

/** A cell as the export writes it: lists joined by `;`, booleans and numbers as text, null empty. */
function cell(value: FakeRecord[string] | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(';');
  return String(value);
}

/** The CSV of a job: RFC 4180 quoting (quotes doubled; commas, quotes and newlines quoted), CRLF line ends. */
function csvOf(job: FakeJob): string {
  const header = ['id', ...job.fields];
  return stringify([header, ...job.rows.map((row) => header.map((name) => cell(row[name])))], { record_delimiter: 'windows' });
}

function zipCsv(name: string, csv: string): Promise<Buffer> {
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(csv, 'utf8'), name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
