import type { JsonSchema } from '@observes/protocol';

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
  /** Client-side rate limit of the whole tap; default 10 per second (Checkly allows 600 requests a minute). */
  requests_per_second: number;
  /** Rate limit of `/v1/check-results` alone; default 0.5 per second (Checkly allows 5 requests per 10 seconds). */
  check_results_requests_per_second: number;
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
    requests_per_second: { type: 'number', exclusiveMinimum: 0, default: 10, description: 'client-side rate limit of the tap' },
    check_results_requests_per_second: { type: 'number', exclusiveMinimum: 0, default: 0.5, description: 'client-side rate limit of /v1/check-results' },
    settle_seconds: { type: 'integer', minimum: 0, default: 600, description: 'windows and days must end this long before now to be read' },
  },
  required: ['api_key', 'account_id'],
  additionalProperties: false,
};
