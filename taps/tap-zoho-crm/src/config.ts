import type { JsonSchema } from '@observes/protocol';
import { ConfigError, loadConfig } from '@observes/tap-sdk/config';
import { ACCOUNTS_SERVERS, accountsServer, type DataCenter } from './data-centers.js';
import { DEFAULT_MODULES, NO_BULK_READ } from './zoho-modules.js';

/** Settings of tap-zoho-crm (the `--config` file, then `TAP_ZOHO_CRM_<SETTING>` environment overrides). */
export interface ZohoCrmConfig {
  /** OAuth client id of the self client or server-based app (secret: never logged). */
  client_id: string;
  /** OAuth client secret (secret). */
  client_secret: string;
  /** Long-lived refresh token with the scopes ZohoCRM.bulk.READ, ZohoCRM.modules.READ, ZohoCRM.settings.fields.READ, ZohoCRM.users.READ (secret). */
  refresh_token: string;
  /** Data center of the account: where tokens are refreshed. Default `com`. */
  region: DataCenter;
  /** Accounts server URL, overriding `region` (another data center, a proxy, a local fake). */
  accounts_url?: string;
  /** Modules to extract, by API name (`Leads`, `Price_Books`, custom modules…) plus `users`; default the 16 standard modules and `users`. */
  modules: string[];
  /** Bulk read jobs this tap keeps running at once (created but not finished); default 10. */
  max_concurrent_jobs: number;
  /** First wait between two status checks of running jobs, in seconds; default 30. Each check costs an API credit. */
  poll_interval_seconds: number;
  /** Longest wait between two status checks (the wait doubles while nothing finishes); default 300. */
  max_poll_interval_seconds: number;
  /** How long the load waits for the exports to finish before reporting the rest as timed out; default 240 minutes. */
  job_timeout_minutes: number;
  /** Age after which a job's result can no longer be downloaded and the export is recreated; default 24 hours. */
  result_expiry_hours: number;
  /** Downloads started per minute; Zoho allows 10 and answers 429 beyond. Default 10. */
  download_requests_per_minute: number;
  /** Client-side limit of API requests per second; default 10. */
  requests_per_second: number;
  /** API credits this run may spend (a bulk read job costs 50, other calls 1); absent: no limit but Zoho's. */
  max_api_credits?: number;
  /** What separates the values of a multi-select picklist in the exported CSV; default `;`. */
  multiselect_separator: string;
}

/** Setting names whose values are secrets. */
export const SECRET_SETTINGS = ['client_id', 'client_secret', 'refresh_token'];

const secret = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });
const positive = (description: string, defaultValue: number): JsonSchema => ({ type: 'number', exclusiveMinimum: 0, default: defaultValue, description });

/** JSON Schema of {@link ZohoCrmConfig}: every problem is listed at start. */
export const configSchema: JsonSchema = {
  type: 'object',
  properties: {
    client_id: secret('OAuth client id'),
    client_secret: secret('OAuth client secret'),
    refresh_token: secret('OAuth refresh token (scopes ZohoCRM.bulk.READ, ZohoCRM.modules.READ, ZohoCRM.settings.fields.READ, ZohoCRM.users.READ)'),
    region: { type: 'string', enum: Object.keys(ACCOUNTS_SERVERS), default: 'com', description: 'data center of the account (com, eu, in, com.au, jp, ca, com.cn, sa)' },
    accounts_url: { type: 'string', format: 'uri', description: 'accounts server URL, overriding region' },
    modules: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]*$' }, default: DEFAULT_MODULES, description: 'module API names to extract, and users' },
    max_concurrent_jobs: { type: 'integer', minimum: 1, default: 10, description: 'bulk read jobs running at once' },
    poll_interval_seconds: positive('first wait between job status checks', 30),
    max_poll_interval_seconds: positive('longest wait between job status checks', 300),
    job_timeout_minutes: positive('how long the load waits for the exports', 240),
    result_expiry_hours: positive('age at which a job result is recreated instead of downloaded', 24),
    download_requests_per_minute: { type: 'integer', minimum: 1, default: 10, description: 'downloads started in any minute (Zoho allows 10)' },
    requests_per_second: positive('client-side API request rate limit', 10),
    max_api_credits: { type: 'integer', minimum: 1, description: 'API credits one run may spend' },
    multiselect_separator: { type: 'string', minLength: 1, default: ';', description: 'separator of multi-select picklist values in the export' },
  },
  required: ['client_id', 'client_secret', 'refresh_token'],
  additionalProperties: false,
};

/**
 * Reads and validates the config (file, then `TAP_ZOHO_CRM_*` variables, then defaults), registering the
 * credentials as secrets first so no message can echo them.
 * @throws ConfigError listing every problem
 */
export function loadZohoConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): ZohoCrmConfig {
  const config = loadConfig({ path, tapName: 'zoho-crm', schema: configSchema, secrets: SECRET_SETTINGS, env }) as unknown as ZohoCrmConfig;
  const refused = config.modules.filter((m) => NO_BULK_READ.has(m));
  if (refused.length > 0) throw new ConfigError(refused.map((m) => `/modules: ${m} has no bulk read (Notes, Attachments and Emails cannot be exported in bulk)`));
  return config;
}

/** The accounts server tokens are refreshed at: `accounts_url`, else the region's. */
export function accountsUrl(config: Pick<ZohoCrmConfig, 'accounts_url' | 'region'>): string {
  return (config.accounts_url ?? accountsServer(config.region)).replace(/\/+$/, '');
}
