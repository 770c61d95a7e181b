import { createLogger, type Logger } from '@observes/protocol';
import { createClock, HttpClient, Metrics, type Clock } from '@observes/tap-sdk';
import { accountsUrl, type ZohoCrmConfig } from './config.js';
import { CreditMeter } from './credit-meter.js';
import type { FollowOptions } from './export-follower.js';
import { ZohoAuth } from './zoho-auth.js';
import { ZohoClient } from './zoho-client.js';

/** Everything a phase needs to talk to Zoho, built once per run from the config. */
export interface ZohoSession {
  config: ZohoCrmConfig;
  /** The SDK's HTTP client under {@link client}. */
  http: HttpClient;
  client: ZohoClient;
  auth: ZohoAuth;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** How exports are followed, from the config. */
  follow: FollowOptions;
}

/** Where a session's logs go and which environment it reads; default the process's. */
export interface SessionOptions {
  env?: NodeJS.ProcessEnv;
  /** Receives log and METRIC lines (default stderr). */
  write?: (line: string) => void;
}

/** Builds a session: logger on stderr, the SDK's HTTP client (retries, backoff, rate limit), OAuth and credits. */
export function createSession(config: ZohoCrmConfig, options: SessionOptions = {}): ZohoSession {
  const env = options.env ?? process.env;
  const logger = createLogger({ name: 'tap-zoho-crm', ...(options.write ? { write: options.write, json: true } : {}) });
  const metrics = new Metrics(logger);
  const clock = createClock(env.OBSERVES_FROZEN_TIME || undefined);
  const http = new HttpClient({ requestsPerSecond: config.requests_per_second, logger, metrics });
  const auth = new ZohoAuth(
    http,
    accountsUrl(config),
    { clientId: config.client_id, clientSecret: config.client_secret, refreshToken: config.refresh_token },
    logger,
  );
  const client = new ZohoClient({
    http,
    auth,
    credits: new CreditMeter(config.max_api_credits),
    logger,
    downloadsPerMinute: config.download_requests_per_minute,
  });
  const follow: FollowOptions = {
    client,
    logger,
    maxConcurrentJobs: config.max_concurrent_jobs,
    pollIntervalMs: config.poll_interval_seconds * 1000,
    maxPollIntervalMs: Math.max(config.max_poll_interval_seconds, config.poll_interval_seconds) * 1000,
    timeoutMs: config.job_timeout_minutes * 60_000,
    resultExpiryMs: config.result_expiry_hours * 3_600_000,
  };
  return { config, http, client, auth, logger, metrics, clock, follow };
}

/** Logs what the run cost: API credits and token refreshes. */
export function logCost(session: ZohoSession, phase: string): void {
  session.metrics.counter('api_credits', session.client.creditsSpent, { phase });
  session.logger.info(`${phase} done`, { api_credits: session.client.creditsSpent, auth_refreshes: session.auth.refreshes });
}
