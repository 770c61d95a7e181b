import { registerSecret, type Logger } from '@observes/protocol';
import { HttpError, type HttpClient, type HttpResponse, type Query } from '@observes/tap-sdk';
import type { TimedoctorConfig } from './config.js';

/** How long before its `expires` a login token is renewed, so a request never races the expiry. */
const RENEW_BEFORE_MS = 60_000;

/** Body of `POST /login` (https://timedoctor.redoc.ly, Auth › login). */
interface LoginAnswer {
  data?: { token?: string; expires?: string };
}

/**
 * Authentication with the Time Doctor 2 API (https://timedoctor.redoc.ly, "Auth Token/Key"): `POST /login` with the
 * account's email and password returns a token valid for six months, sent as `Authorization: JWT <token>` on every
 * call. A configured `token` is used first. A refused token (401: expired, revoked) is replaced by a new login when
 * email and password are configured, once per request; otherwise the run fails saying what to do.
 */
export class TimedoctorSession {
  private token: string | undefined;
  private expiresAt = Infinity;
  private login: Promise<void> | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly config: TimedoctorConfig,
    private readonly now: () => Date,
  ) {
    this.token = config.token;
  }

  private get canLogIn(): boolean {
    return this.config.email !== undefined && this.config.password !== undefined;
  }

  /** Logs in once even when several requests need a token at the same time. */
  private async logIn(logger: Logger): Promise<void> {
    this.login ??= (async () => {
      const response = await this.http.request<LoginAnswer>({
        method: 'POST',
        url: 'login',
        // `read`: the tap never changes anything (the reference's `permissions` of the login body).
        body: { email: this.config.email, password: this.config.password, permissions: 'read' },
      });
      const token = response.body?.data?.token;
      if (typeof token !== 'string' || token === '') throw new Error('POST /login answered without data.token');
      registerSecret(token);
      this.token = token;
      const expires = Date.parse(response.body?.data?.expires ?? '');
      this.expiresAt = Number.isFinite(expires) ? expires : Infinity;
      logger.info('logged in to Time Doctor', { expires: response.body?.data?.expires });
    })().finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  /** `GET <path>` with the token; a refused token is renewed by logging in again (once). */
  async get<T = unknown>(path: string, query: Query, logger: Logger): Promise<HttpResponse<T>> {
    for (let attempt = 1; ; attempt++) {
      if (this.token === undefined || (this.canLogIn && this.expiresAt - RENEW_BEFORE_MS <= this.now().getTime())) await this.logIn(logger);
      const token = this.token!;
      try {
        return await this.http.request<T>({ url: path, query, headers: { authorization: `JWT ${token}` } });
      } catch (error) {
        if (!(error instanceof HttpError) || error.status !== 401) throw error;
        if (attempt === 1 && this.canLogIn) {
          logger.warn('the token was refused: logging in again', { url: error.url });
          if (this.token === token) this.token = undefined;
          continue;
        }
        // Still an HttpError with its 401: the run exits 2 and is not retried, since a rerun would be refused too.
        throw new HttpError(
          `${error.message}. Time Doctor refused the token (tokens are valid six months after the login that made them): ` +
            (this.canLogIn ? 'a new login was refused too; check the account' : 'configure email and password, or a new token'),
          error.status,
          error.method,
          error.url,
        );
      }
    }
  }
}

/**
 * A fetch that registers the token of a login answer as a secret before anyone reads the answer, so `--record`
 * scrubs it from the recording it writes (the recorder reads the response before the session sees it).
 */
export const secretRegisteringFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (response.ok && /\/login(\?|$)/.test(url)) {
    try {
      registerSecret(((await response.clone().json()) as LoginAnswer).data?.token);
    } catch {
      // Not JSON: the session reports the answer it cannot use.
    }
  }
  return response;
};
