import type { JsonSchema } from '@observes/protocol';

/** Settings of tap-timedoctor (file, then `TAP_TIMEDOCTOR_<SETTING>` environment overrides). */
export interface TimedoctorConfig {
  /** Root of the Time Doctor 2 REST API, version 1.0; default `https://api2.timedoctor.com/api/1.0`. */
  api_url: string;
  /** Account email for `POST /login` (with `password`). */
  email?: string;
  /** Account password for `POST /login`; secret. */
  password?: string;
  /**
   * A token a login already returned (valid six months, sent as `Authorization: JWT <token>`); secret. With `email`
   * and `password` too, the tap logs in again when the token is refused.
   */
  token?: string;
  /** The company to extract; absent: every company the account owns or administers (`GET /companies`). */
  company_id?: string;
  /** First day (or instant, UTC) to extract activity from; see the README for the defaults of each mode. */
  start_date?: string;
  /** Day (or instant, UTC) activity is extracted until, exclusive; default now. */
  end_date?: string;
  /** `YYYY-MM`: extract exactly that UTC month, every stream as a full table (the monthly backup). */
  month?: string;
  /** Items per page (`limit`); default 200. */
  page_size: number;
  /** Days per activity request (`from`..`to`); windows never cross a month boundary. Default 7. */
  window_days: number;
  /** Users per activity request (`user=a,b,…`); a response cut short is split into smaller batches. Default 10. */
  user_batch_size: number;
  /** Client-side rate limit in requests per second; default 2. */
  requests_per_second: number;
  /** Incremental runs re-read this many days before the bookmark, for time edited after it was first read. Default 3. */
  lookback_days: number;
  /** Months, the current one included, the API is trusted to serve in full; older ones come from the backups. Default 3. */
  api_history_months: number;
  /**
   * `s3://bucket/prefix` of the monthly backups target-s3 wrote (`<prefix>/_manifests/<YYYY-MM>.json`): makes the run a
   * full refresh from those backups and the API.
   */
  backups?: string;
  /** S3-compatible endpoint of the backups (default `OBSERVES_S3_ENDPOINT`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`). */
  s3_endpoint?: string;
  /** Region of the backups bucket (default `AWS_REGION`, else `us-east-1`). */
  s3_region?: string;
}

/** A day (`2026-05-01`) or an instant with a zone (`2026-05-01T00:00:00Z`). */
const DAY_OR_INSTANT = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2}))?$';

/** JSON Schema of {@link TimedoctorConfig}: every problem is listed at start. */
export const timedoctorConfigSchema: JsonSchema = {
  type: 'object',
  properties: {
    api_url: { type: 'string', format: 'uri', default: 'https://api2.timedoctor.com/api/1.0', description: 'Time Doctor 2 API root (version 1.0)' },
    email: { type: 'string', minLength: 3, description: 'account email for POST /login' },
    password: { type: 'string', minLength: 1, description: 'account password for POST /login' },
    token: { type: 'string', minLength: 8, description: 'token of an earlier login (valid six months), instead of or before email/password' },
    company_id: { type: 'string', minLength: 1, description: 'company to extract; absent: every company the account owns or administers' },
    start_date: { type: 'string', pattern: DAY_OR_INSTANT, description: 'first day (UTC) of activity to extract' },
    end_date: { type: 'string', pattern: DAY_OR_INSTANT, description: 'day (UTC) activity is extracted until, exclusive; default now' },
    month: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM: exactly that UTC month, every stream a full table (the monthly backup)' },
    page_size: { type: 'integer', minimum: 1, maximum: 1000, default: 200, description: 'items per page (limit)' },
    window_days: { type: 'integer', minimum: 1, maximum: 31, default: 7, description: 'days per activity request' },
    user_batch_size: { type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'users per activity request' },
    requests_per_second: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'client-side rate limit' },
    lookback_days: { type: 'integer', minimum: 0, maximum: 62, default: 3, description: 'incremental runs re-read this many days before the bookmark' },
    api_history_months: { type: 'integer', minimum: 1, maximum: 36, default: 3, description: 'months (this one included) the full refresh takes from the API; older ones from the backups' },
    backups: { type: 'string', pattern: '^s3://[^/]+(/.*)?$', description: 's3:// prefix of the monthly backups: makes the run a full refresh from them and the API' },
    s3_endpoint: { type: 'string', format: 'uri', description: 'S3-compatible endpoint of the backups' },
    s3_region: { type: 'string', minLength: 1, description: 'region of the backups bucket' },
  },
  anyOf: [{ required: ['token'] }, { required: ['email', 'password'] }],
  additionalProperties: false,
};

/** Config fields whose values are secrets (never logged, scrubbed from recordings). */
export const TIMEDOCTOR_SECRETS = ['password', 'token'];
