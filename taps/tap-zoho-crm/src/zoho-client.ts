import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { redact, type Logger } from '@observes/protocol';
import { HttpError, redactUrl, retryDelayMs, type HttpClient, type HttpRequest, type HttpResponse } from '@observes/tap-sdk';
import type { CreditKind, CreditMeter } from './credit-meter.js';
import { SlidingWindow } from './sliding-window.js';
import type { AccessToken, ZohoAuth } from './zoho-auth.js';

/** A download the server no longer has (the job's result expired or the job is unknown): recreate the export. */
export class DownloadGoneError extends Error {
  override name = 'DownloadGoneError';
}

/**
 * The API answered 401 `INVALID_TOKEN` ("The access token you used has expired. Kindly refresh your token and retry",
 * Possible Errors of every CRM API page, e.g. https://www.zoho.com/crm/developer/docs/api/v7/get-users.html).
 * {@link HttpError} keeps the start of the body in its message, which is where the code is.
 */
function isInvalidToken(error: unknown): boolean {
  return error instanceof HttpError && error.status === 401 && /INVALID_TOKEN/.test(error.message);
}

/** Options of {@link ZohoClient}. */
export interface ZohoClientOptions {
  /** The SDK client for JSON calls: retries, backoff, rate limit. */
  http: HttpClient;
  auth: ZohoAuth;
  credits: CreditMeter;
  logger: Logger;
  /** Downloads started per minute (Zoho: 10). */
  downloadsPerMinute: number;
  /** Retries of a download after 429, 5xx or a network error; default 5. */
  downloadRetries?: number;
  /** First backoff delay of a download retry in ms; default 1000. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** How long one download may take, body included. */
const DOWNLOAD_TIMEOUT_MS = 60 * 60_000;
/** Zoho: over 10 downloads a minute, "the download request will be processed only after one minute". */
const DOWNLOAD_WINDOW_MS = 60_000;

/**
 * Calls the CRM API of the account with the current access token (`Authorization: Zoho-oauthtoken …`), at the API
 * domain the token came with, counting credits; a call refused with `INVALID_TOKEN` is retried once with a new token.
 */
export class ZohoClient {
  private readonly downloads: SlidingWindow;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: ZohoClientOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.downloads = new SlidingWindow(options.downloadsPerMinute, DOWNLOAD_WINDOW_MS, this.sleep, this.now);
  }

  /** Credits spent so far. */
  get creditsSpent(): number {
    return this.options.credits.spent;
  }

  /**
   * A JSON call; `request.url` is a path under the API domain (`/crm/v8/settings/fields`).
   * @param kind - what it costs
   * @param what - words for errors and the credit budget
   */
  async request<T = unknown>(kind: CreditKind, what: string, request: HttpRequest): Promise<HttpResponse<T>> {
    this.options.credits.spend(kind, what);
    return this.withToken((token) =>
      this.options.http.request<T>({
        ...request,
        url: token.apiDomain + request.url,
        headers: { ...request.headers, authorization: `Zoho-oauthtoken ${token.value}` },
      }),
    );
  }

  /**
   * Streams a job result (`download_url`, a path under the API domain) into `file`, never holding it in memory.
   * At most the configured downloads in any minute; 429 (the window is full: the next one waits a minute), 5xx and
   * network errors are retried with backoff.
   * @throws DownloadGoneError on 404 or 410 (expired or unknown result)
   */
  async download(path: string, file: string, what: string): Promise<void> {
    this.options.credits.spend('other', what);
    const retries = this.options.downloadRetries ?? 5;
    await this.withToken(async (token) => {
      // The token goes with the request: never to another host than the account's API domain.
      const url = /^https?:\/\//i.test(path) ? path : token.apiDomain + path;
      if (new URL(url).origin !== new URL(token.apiDomain).origin)
        throw new Error(`${what}: the download URL ${redactUrl(url)} is not on the API domain ${token.apiDomain}`);
      for (let attempt = 0; ; attempt++) {
        await this.downloads.acquire();
        let problem: string;
        let cause: unknown;
        let retryAfter: ((name: string) => string | undefined) | undefined;
        try {
          const response = await fetch(url, { headers: { authorization: `Zoho-oauthtoken ${token.value}` }, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
          if (response.ok && response.body) {
            await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(file));
            return;
          }
          const text = redact((await response.text()).trim().slice(0, 300));
          const failure = `GET ${redactUrl(url)} (${what}) failed: ${response.status} ${response.statusText}${text ? `: ${text}` : ''}`;
          if (response.status === 404 || response.status === 410) throw new DownloadGoneError(failure);
          if (response.status !== 429 && response.status < 500) throw new HttpError(failure, response.status, 'GET', redactUrl(url));
          problem = `${response.status} ${response.statusText}`;
          retryAfter = (name) => response.headers.get(name) ?? undefined;
          if (response.status === 429) this.downloads.fill();
        } catch (error) {
          if (error instanceof DownloadGoneError || error instanceof HttpError) throw error;
          cause = error;
          problem =
            (error as Error).name === 'TimeoutError'
              ? 'timed out'
              : `network error: ${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`;
        }
        if (attempt >= retries)
          throw new HttpError(`GET ${redactUrl(url)} (${what}) failed after ${attempt + 1} attempts: ${problem}`, undefined, 'GET', redactUrl(url), { cause });
        const delay = retryDelayMs(attempt, retryAfter, this.now(), {
          baseDelayMs: this.options.baseDelayMs ?? 1000,
          maxDelayMs: 60_000,
          maxServerDelayMs: 900_000,
          random: this.options.random ?? Math.random,
        });
        this.options.logger.warn('retrying download', { what, problem, attempt: attempt + 1, delay_ms: delay });
        await this.sleep(delay);
      }
    });
  }

  /** Runs `call` with the current token, and once more with a fresh one when the API says the token is invalid. */
  private async withToken<T>(call: (token: AccessToken) => Promise<T>): Promise<T> {
    const token = await this.options.auth.token();
    try {
      return await call(token);
    } catch (error) {
      if (!isInvalidToken(error)) throw error;
      this.options.logger.info('the API refused the access token (INVALID_TOKEN): refreshing it');
      this.options.auth.invalidate(token);
      return call(await this.options.auth.token());
    }
  }
}
