import { registerSecret, type Logger } from '@observes/protocol';
import type { HttpClient } from '@observes/tap-sdk';

/** The refresh-token grant's credentials. */
export interface ZohoCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** An access token and where to use it. */
export interface AccessToken {
  /** Sent as `Authorization: Zoho-oauthtoken <value>`. */
  value: string;
  /** Root of the CRM API for this account, e.g. `https://www.zohoapis.eu` (from `api_domain`). */
  apiDomain: string;
  /** When to stop using it (ms epoch), a margin before Zoho's expiry. */
  refreshAtMs: number;
}

/** Refresh a little before Zoho's expiry so no request races it (tokens live 3600 s). */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** The token endpoint's JSON answer, success or refusal. */
interface TokenAnswer {
  access_token?: unknown;
  api_domain?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/**
 * Zoho OAuth 2.0 access tokens from a refresh token, refreshed on expiry and when the API calls a token invalid.
 *
 * `POST {accounts-server}/oauth/v2/token` with `grant_type=refresh_token`, `client_id`, `client_secret` and
 * `refresh_token` answers `{access_token, api_domain, token_type: "Bearer", expires_in: 3600}`
 * (https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html). The parameters go in a form body,
 * as Zoho's own SDKs send them, so the secrets never sit in a URL. A refusal comes as `{"error": "invalid_client"}`
 * or `{"error": "invalid_code"}` (zoho/zohocrm-typescript-sdk-8.0, models/authenticator/oauth_token.ts reads the
 * `error` key of the body). A refresh token may mint only ten access tokens in ten minutes, so one token is shared
 * by every request until it expires or is refused.
 */
export class ZohoAuth {
  private current: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;
  /** Tokens minted by this run, for the final log line. */
  refreshes = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly accountsUrl: string,
    private readonly credentials: ZohoCredentials,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token valid for a while, refreshing it first when it is missing or about to expire. */
  async token(): Promise<AccessToken> {
    if (this.current && this.now() < this.current.refreshAtMs) return this.current;
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets `token` after the API answered `INVALID_TOKEN` for it, so the next {@link token} refreshes. */
  invalidate(token: AccessToken): void {
    if (this.current === token) this.current = undefined;
  }

  private async refresh(): Promise<AccessToken> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: this.credentials.clientId,
      client_secret: this.credentials.clientSecret,
      refresh_token: this.credentials.refreshToken,
    }).toString();
    const started = this.now();
    const response = await this.http.request<TokenAnswer>({
      method: 'POST',
      url: `${this.accountsUrl}/oauth/v2/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const answer = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as TokenAnswer;
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      const reason = typeof answer.error === 'string' ? answer.error : 'no access_token in the answer';
      const detail = typeof answer.error_description === 'string' ? ` (${answer.error_description})` : '';
      throw new Error(
        `the accounts server ${this.accountsUrl} refused the refresh token grant: ${reason}${detail}; check client_id, client_secret, refresh_token and region`,
      );
    }
    registerSecret(answer.access_token);
    if (typeof answer.api_domain !== 'string' || !/^https?:\/\//.test(answer.api_domain)) {
      throw new Error(`the accounts server ${this.accountsUrl} gave no api_domain with the access token`);
    }
    const lifetimeMs = (typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 3600) * 1000;
    this.refreshes++;
    this.current = {
      value: answer.access_token,
      apiDomain: answer.api_domain.replace(/\/+$/, ''),
      refreshAtMs: started + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2),
    };
    this.logger.info('access token refreshed', { api_domain: this.current.apiDomain, expires_in_s: lifetimeMs / 1000 });
    return this.current;
  }
}
