import { setting, type SettingsOf } from '@observes/protocol';

/** A day (`2026-05-01`) or an instant with a zone (`2026-05-01T00:00:00Z`). */
const DAY_OR_INSTANT = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2}))?$';

/**
 * tap-timedoctor's settings, declared once (file, then `TAP_TIMEDOCTOR_<SETTING>` environment overrides): the type
 * {@link TimedoctorConfig}, validation, `--help`, `--about` and the README's table derive from it.
 */
export const timedoctorConfigSchema = setting.object(
  {
    api_url: setting.string({ format: 'uri', default: 'https://api2.timedoctor.com/api/1.0', description: 'Time Doctor 2 REST API root (version 1.0)' }),
    email: setting.string({ minLength: 3, description: 'account email for POST /login (with password)' }),
    password: setting.string({ minLength: 1, secret: true, description: 'account password for POST /login' }),
    token: setting.string({
      minLength: 8,
      secret: true,
      description:
        'token of an earlier login (valid six months, sent as Authorization: JWT); with email and password too, the tap logs in again when it is refused',
    }),
    company_id: setting.string({ minLength: 1, description: 'company to extract; absent: every company the account owns or administers (GET /companies)' }),
    start_date: setting.string({
      pattern: DAY_OR_INSTANT,
      description: 'first day (or instant, UTC) of activity to extract; see the README for the defaults of each mode',
    }),
    end_date: setting.string({ pattern: DAY_OR_INSTANT, description: 'day (or instant, UTC) activity is extracted until, exclusive; default now' }),
    month: setting.string({
      pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
      description: 'YYYY-MM: exactly that UTC month, every stream a full table (the monthly backup)',
    }),
    page_size: setting.integer({ minimum: 1, maximum: 1000, default: 200, description: 'items per page (limit)' }),
    window_days: setting.integer({
      minimum: 1,
      maximum: 31,
      default: 7,
      description: 'days per activity request (from..to); windows never cross a month boundary',
    }),
    user_batch_size: setting.integer({
      minimum: 1,
      maximum: 100,
      default: 10,
      description: 'users per activity request; a response cut short is split into smaller batches',
    }),
    requests_per_second: setting.number({ exclusiveMinimum: 0, default: 2, description: 'client-side rate limit' }),
    lookback_days: setting.integer({
      minimum: 0,
      maximum: 62,
      default: 3,
      description: 'incremental runs re-read this many days before the bookmark, for time edited after it was first read',
    }),
    api_history_months: setting.integer({
      minimum: 1,
      maximum: 36,
      default: 3,
      description: 'months (this one included) the API is trusted to serve in full; older ones come from the backups',
    }),
    backups: setting.string({
      pattern: '^s3://[^/]+(/.*)?$',
      description: 's3://bucket/prefix of the monthly backups target-s3 wrote: makes the run a full refresh from them and the API',
    }),
    s3_endpoint: setting.string({
      format: 'uri',
      description: 'S3-compatible endpoint of the backups (default OBSERVES_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)',
    }),
    s3_region: setting.string({ minLength: 1, description: 'region of the backups bucket (default AWS_REGION, else us-east-1)' }),
  },
  {
    anyOf: [{ required: ['token'] }, { required: ['email', 'password'] }],
    errorMessage: { anyOf: '${path}: give "token", or "email" and "password"' },
  },
);

/** The validated settings of tap-timedoctor. */
export type TimedoctorConfig = SettingsOf<typeof timedoctorConfigSchema>;
