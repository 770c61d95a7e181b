/**
 * Zoho accounts servers by data center: the refresh-token grant must go to the accounts server of the data center
 * the account lives in (Zoho OAuth: "use your domain-specific Zoho Accounts URL",
 * https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html). The list follows Zoho's own
 * SDK (zoho/zohocrm-typescript-sdk-8.0, routes/dc/*_data_center.ts); Canada is the odd one, `zohocloud.ca`.
 * The CRM API domain is not derived from this: it comes back with the token (`api_domain`).
 */
export const ACCOUNTS_SERVERS = {
  com: 'https://accounts.zoho.com',
  eu: 'https://accounts.zoho.eu',
  in: 'https://accounts.zoho.in',
  'com.au': 'https://accounts.zoho.com.au',
  jp: 'https://accounts.zoho.jp',
  ca: 'https://accounts.zohocloud.ca',
  'com.cn': 'https://accounts.zoho.com.cn',
  sa: 'https://accounts.zoho.sa',
} as const;

/** A Zoho data center, named by the domain suffix of its servers. */
export type DataCenter = keyof typeof ACCOUNTS_SERVERS;

/** The accounts server of a data center. */
export function accountsServer(region: DataCenter): string {
  return ACCOUNTS_SERVERS[region];
}
