import type { JsonSchema } from '@observes/protocol';

/** Which raw results `check_results` keeps: Checkly's `resultType`. */
export type ResultType = 'FINAL' | 'ATTEMPT' | 'ALL';

/** Settings of tap-checkly (file, then `TAP_CHECKLY_<SETTING>` environment overrides). */
export interface ChecklyConfig {
  /** API root; default `https://api.checklyhq.com`. */
  api_url: string;
  /** API key (user or service key), sent as `Authorization: Bearer`. */
  api_key: string;
  /** Account id, sent as `X-Checkly-Account`. */
  account_id: string;
  /** Where check results and reports start on a first run (ISO 8601); default 24 hours (results) and 7 days (reports) back. */
  start_date?: string;
  /** Items per page (`limit`), 1..100; default 100. */
  page_size: number;
  /**
   * Client-side rate limit of the whole tap; default 5 per second, half of the 600 requests a minute Checkly allows
   * an account, so that other clients of the account (the CLI, Terraform, dashboards) keep room.
   */
  requests_per_second: number;
  /**
   * Rate limit of `/v2/check-results` alone; default 0.3 per second (3 per 10 s), below the 5 per 10 s Checkly allows
   * that endpoint.
   */
  check_results_requests_per_second: number;
  /** How long one request keeps retrying 429s, 5xx and network errors, in seconds; default 180 (three 60 s windows). */
  retry_budget_seconds: number;
  /** `FINAL` (default): one result per check run; `ALL`: the retry attempts of double-checked runs too; `ATTEMPT`: only those. */
  result_type: ResultType;
  /** Span of one check-results read, in hours (1..720): memory holds one span of a check's results. Default 24. */
  results_window_hours: number;
  /** Whether `reports` covers deactivated checks too (default true), asked for explicitly whatever the API's default. */
  reports_include_deactivated: boolean;
  /**
   * How long before now a check-result window or report day must end to be read: results land a little after
   * their run started, and what is bookmarked past is not read again. Default 600 seconds.
   */
  settle_seconds: number;
}

/** JSON Schema of {@link ChecklyConfig}: every problem is listed at start. */
export const checklyConfigSchema: JsonSchema = {
  type: 'object',
  properties: {
    api_url: { type: 'string', format: 'uri', default: 'https://api.checklyhq.com', description: 'Checkly API root URL' },
    api_key: { type: 'string', minLength: 1, description: 'API key, sent as Authorization: Bearer' },
    account_id: { type: 'string', minLength: 1, description: 'account id, sent as X-Checkly-Account' },
    start_date: { type: 'string', format: 'date-time', description: 'first check-result time and report day on a first run' },
    page_size: { type: 'integer', minimum: 1, maximum: 100, default: 100, description: 'items per page (limit)' },
    requests_per_second: { type: 'number', exclusiveMinimum: 0, default: 5, description: 'client-side rate limit of the tap (Checkly: 600 a minute per account)' },
    check_results_requests_per_second: { type: 'number', exclusiveMinimum: 0, default: 0.3, description: 'client-side rate limit of /v2/check-results (Checkly: 5 per 10 s)' },
    retry_budget_seconds: { type: 'integer', minimum: 0, default: 180, description: 'how long one request keeps retrying 429s and 5xx' },
    result_type: { type: 'string', enum: ['FINAL', 'ATTEMPT', 'ALL'], default: 'FINAL', description: 'check results kept: FINAL, ALL (with retry attempts) or ATTEMPT' },
    results_window_hours: { type: 'integer', minimum: 1, maximum: 720, default: 24, description: 'span of one check-results read' },
    reports_include_deactivated: { type: 'boolean', default: true, description: 'reports cover deactivated checks too' },
    settle_seconds: { type: 'integer', minimum: 0, default: 600, description: 'windows and days must end this long before now to be read' },
  },
  required: ['api_key', 'account_id'],
  additionalProperties: false,
};
