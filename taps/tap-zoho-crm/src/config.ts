import { setting, type SettingsOf } from '@observes/protocol';
import { ConfigError, loadConfig } from '@observes/tap-sdk/config';
import { ACCOUNTS_SERVERS, accountsServer, type DataCenter } from './data-centers.js';
import { DEFAULT_MODULES, NO_BULK_READ } from './zoho-modules.js';

const credential = (description: string) => setting.string({ required: true, secret: true, minLength: 1, description });
const positive = <const D extends number>(description: string, defaultValue: D) =>
  setting.number({ exclusiveMinimum: 0, default: defaultValue as number, description });
const REGIONS = Object.keys(ACCOUNTS_SERVERS) as DataCenter[];

/**
 * tap-zoho-crm's settings, declared once (the `--config` file, then `TAP_ZOHO_CRM_<SETTING>` environment overrides): the
 * type {@link ZohoCrmConfig}, validation, `--help`, `--about` and the README's table derive from it.
 */
export const configSchema = setting.object({
  client_id: credential('OAuth client id of the self client or server-based app'),
  client_secret: credential('OAuth client secret'),
  refresh_token: credential(
    'long-lived OAuth refresh token (scopes ZohoCRM.bulk.READ, ZohoCRM.modules.READ, ZohoCRM.settings.fields.READ, ZohoCRM.users.READ)',
  ),
  region: setting.enum(REGIONS, {
    default: 'com' as DataCenter,
    description: 'data center of the account, where tokens are refreshed (com, eu, in, com.au, jp, ca, com.cn, sa)',
  }),
  accounts_url: setting.string({ format: 'uri', description: 'accounts server URL, overriding region (another data center, a proxy, a local fake)' }),
  modules: setting.array(setting.string({ pattern: '^[A-Za-z][A-Za-z0-9_]*$' }), {
    minItems: 1,
    uniqueItems: true,
    default: DEFAULT_MODULES,
    description:
      'modules to extract by API name (Leads, Price_Books, custom modules...) and users; default the 16 standard modules and users; Notes, Attachments and Emails are refused (no bulk read)',
  }),
  max_concurrent_jobs: setting.integer({ minimum: 1, default: 10, description: 'bulk read jobs this tap keeps running at once (created but not finished)' }),
  poll_interval_seconds: positive('first wait between two status checks of running jobs, in seconds (each check costs an API credit)', 30),
  max_poll_interval_seconds: positive('longest wait between two status checks (the wait doubles while nothing finishes)', 300),
  job_timeout_minutes: positive('how long the load waits for the exports to finish before reporting the rest as timed out', 240),
  result_expiry_hours: positive("age after which a job's result can no longer be downloaded and the export is recreated", 24),
  download_requests_per_minute: setting.integer({
    minimum: 1,
    default: 10,
    description: 'downloads started per minute (Zoho allows 10 and answers 429 beyond)',
  }),
  requests_per_second: positive('client-side limit of API requests per second', 10),
  max_api_credits: setting.integer({
    minimum: 1,
    description: "API credits this run may spend (a bulk read job costs 50, other calls 1); absent: no limit but Zoho's",
  }),
  multiselect_separator: setting.string({
    minLength: 1,
    default: ';',
    description: 'what separates the values of a multi-select picklist in the exported CSV',
  }),
});

/** The validated settings of tap-zoho-crm. */
export type ZohoCrmConfig = SettingsOf<typeof configSchema>;

/**
 * Reads and validates the config (file, then `TAP_ZOHO_CRM_*` variables, then defaults), registering the
 * credentials as secrets first so no message can echo them.
 * @throws ConfigError listing every problem
 */
export function loadZohoConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): ZohoCrmConfig {
  const config = loadConfig({ path, tapName: 'zoho-crm', schema: configSchema, env });
  const refused = config.modules.filter((m) => NO_BULK_READ.has(m));
  if (refused.length > 0)
    throw new ConfigError(refused.map((m) => `/modules: ${m} has no bulk read (Notes, Attachments and Emails cannot be exported in bulk)`));
  return config;
}

/** The accounts server tokens are refreshed at: `accounts_url`, else the region's. */
export function accountsUrl(config: Pick<ZohoCrmConfig, 'accounts_url' | 'region'>): string {
  return (config.accounts_url ?? accountsServer(config.region)).replace(/\/+$/, '');
}
