import { setting, type SettingsOf } from '@observes/protocol';

/** Which raw results `check_results` keeps: Checkly's `resultType`. */
export const RESULT_TYPES = ['FINAL', 'ATTEMPT', 'ALL'] as const;
/** Which raw results `check_results` keeps: Checkly's `resultType`. */
export type ResultType = (typeof RESULT_TYPES)[number];

/**
 * tap-checkly's settings, declared once (file, then `TAP_CHECKLY_<SETTING>` environment overrides): the type
 * {@link ChecklyConfig}, validation, `--help`, `--about` and the README's table derive from it.
 */
export const checklyConfigSchema = setting.object({
  api_url: setting.string({ format: 'uri', default: 'https://api.checklyhq.com', description: 'Checkly API root URL' }),
  api_key: setting.string({ required: true, secret: true, minLength: 1, description: 'API key (user or service key), sent as Authorization: Bearer' }),
  account_id: setting.string({ required: true, minLength: 1, description: 'account id, sent as X-Checkly-Account' }),
  start_date: setting.string({
    format: 'date-time',
    description: 'first check-result time and report day on a first run (ISO 8601); default 24 hours (results) and 7 days (reports) back',
  }),
  page_size: setting.integer({ minimum: 1, maximum: 100, default: 100, description: 'items per page (limit)' }),
  requests_per_second: setting.number({
    exclusiveMinimum: 0,
    default: 5,
    description: 'client-side rate limit of the tap: half of the 600 a minute Checkly allows an account, so that its other clients keep room',
  }),
  check_results_requests_per_second: setting.number({
    exclusiveMinimum: 0,
    default: 0.3,
    description: 'client-side rate limit of /v2/check-results (Checkly allows 5 per 10 s)',
  }),
  retry_budget_seconds: setting.integer({
    minimum: 0,
    default: 180,
    description: 'how long one request keeps retrying 429s, 5xx and network errors (three 60 s windows)',
  }),
  result_type: setting.enum(RESULT_TYPES, {
    default: 'FINAL',
    description: 'check results kept: FINAL (one per run), ALL (with retry attempts) or ATTEMPT (only those)',
  }),
  results_window_hours: setting.integer({
    minimum: 1,
    maximum: 720,
    default: 24,
    description: "span of one check-results read, in hours: memory holds one span of a check's results",
  }),
  reports_include_deactivated: setting.boolean({
    default: true,
    description: 'reports cover deactivated checks too (asked for explicitly whatever the API default)',
  }),
  settle_seconds: setting.integer({
    minimum: 0,
    default: 600,
    description: 'windows and report days must end this long before now to be read: results land a little after their run started',
  }),
});

/** The validated settings of tap-checkly. */
export type ChecklyConfig = SettingsOf<typeof checklyConfigSchema>;
