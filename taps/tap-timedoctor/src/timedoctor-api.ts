import type { JsonRecord, Logger } from '@observes/protocol';
import type { HttpClient, Query } from '@observes/tap-sdk';
import { listPages, TruncatedAnswerError } from './api-listing.js';
import type { TimedoctorConfig } from './config.js';
import { apiTime, type DateWindow } from './date-windows.js';
import { TimedoctorSession } from './timedoctor-session.js';

/** Roles that see a whole company (API access follows the web app's roles: https://support.timedoctor.com/knowledge/how-to-use-the-time-doctor-api). */
const ADMIN_ROLES = new Set(['owner', 'admin']);

/** One activity endpoint, read window by window and user batch by user batch. */
export interface ActivityEndpoint {
  /** Path under the API root. */
  path: string;
  /** Extra query parameters. */
  query: Query;
  /**
   * Whether `data` holds one array per requested user, in request order (the worklog answer:
   * `data[i]` are the rows of the i-th user of `user=`), rather than one flat list.
   */
  perUser: boolean;
  /** Identity of a row. */
  key(row: JsonRecord): string;
}

/**
 * What the tap reads from the API in one run: one session (one login) and the lists several streams need. Methods
 * take the logger of the stream asking, so that log lines name it.
 */
export class TimedoctorApi {
  readonly session: TimedoctorSession;
  private companies: Promise<string[]> | undefined;
  private readonly users = new Map<string, Promise<JsonRecord[]>>();

  constructor(
    readonly config: TimedoctorConfig,
    http: HttpClient,
    now: () => Date,
  ) {
    this.session = new TimedoctorSession(http, config, now);
  }

  /** `company_id`, or every company the account owns or administers (`GET /companies`). */
  companyIds(logger: Logger): Promise<string[]> {
    this.companies ??= (async () => {
      if (this.config.company_id) return [this.config.company_id];
      const body = (await this.session.get<{ data?: JsonRecord[] }>('companies', {}, logger)).body;
      const ids = (body?.data ?? [])
        .filter((entry) => ADMIN_ROLES.has(String(entry.role ?? (entry.company as JsonRecord | undefined)?.role ?? '')))
        .map((entry) => String((entry.company as JsonRecord | undefined)?.id ?? entry.id));
      if (ids.length === 0) throw new Error('the account owns or administers no Time Doctor company: set company_id');
      logger.info('companies to extract', { companies: ids });
      return ids;
    })();
    return this.companies;
  }

  /** Every page of a company's listing (`users`, `projects`, `tasks`), keyed by `id`. */
  list(path: string, company: string, logger: Logger, query: Query = {}): AsyncGenerator<JsonRecord[]> {
    return listPages(this.session, { path, query: { company, ...query }, pageSize: this.config.page_size, logger, key: (item) => String(item.id) });
  }

  /** A company's users, archived ones included (their past activity stays theirs); read once per run. */
  companyUsers(company: string, logger: Logger): Promise<JsonRecord[]> {
    let users = this.users.get(company);
    if (!users) {
      users = (async () => {
        const all: JsonRecord[] = [];
        for await (const page of this.list('users', company, logger, { 'include-archived-users': true })) all.push(...page);
        return all;
      })();
      this.users.set(company, users);
    }
    return users;
  }

  /**
   * The rows of one window for all of a company's users, by batches of `user_batch_size` users: without `user=` the
   * API answers for the token's own user only (a public client's notes, integrations/timedoctor.py). A batch whose
   * answer is cut short is split in two and asked again, down to one user. Rows come back once per key.
   */
  async activity(endpoint: ActivityEndpoint, company: string, window: DateWindow, logger: Logger): Promise<JsonRecord[]> {
    const users = (await this.companyUsers(company, logger)).map((user) => String(user.id));
    const rows = new Map<string, JsonRecord>();
    const read = async (batch: string[]): Promise<void> => {
      const query = { ...endpoint.query, company, user: batch.join(','), from: apiTime(window.from), to: apiTime(window.to) };
      const items = endpoint.perUser ? (data: unknown[]) => perUserRows(data, batch) : undefined;
      try {
        for await (const page of listPages(this.session, { path: endpoint.path, query, pageSize: this.config.page_size, logger, key: endpoint.key, items })) {
          for (const row of page) rows.set(endpoint.key(row), row);
        }
      } catch (error) {
        if (!(error instanceof TruncatedAnswerError) || batch.length === 1) throw error;
        const half = Math.ceil(batch.length / 2);
        logger.warn('answer cut short: asking for fewer users at a time', { path: endpoint.path, users: batch.length, from: query.from });
        await read(batch.slice(0, half));
        await read(batch.slice(half));
      }
    };
    for (let i = 0; i < users.length; i += this.config.user_batch_size) await read(users.slice(i, i + this.config.user_batch_size));
    return [...rows.values()];
  }
}

/** Flattens `data[i]` (the rows of the i-th requested user), giving rows without a `userId` their user's. */
function perUserRows(data: unknown[], users: string[]): JsonRecord[] {
  return data.flatMap((rows, i) => {
    if (!Array.isArray(rows)) return [rows as JsonRecord];
    return (rows as JsonRecord[]).map((row) => (row.userId === undefined && users[i] !== undefined ? { ...row, userId: users[i] } : row));
  });
}

const apis = new WeakMap<HttpClient, TimedoctorApi>();

/** The run's {@link TimedoctorApi} (one per HTTP client, so one login and one users list per run). */
export function apiOf(ctx: { http: HttpClient; config: TimedoctorConfig; now(): Date }): TimedoctorApi {
  let api = apis.get(ctx.http);
  if (!api) apis.set(ctx.http, (api = new TimedoctorApi(ctx.config, ctx.http, () => ctx.now())));
  return api;
}
