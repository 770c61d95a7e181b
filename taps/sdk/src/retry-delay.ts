/** Header lookup: a function or a `Headers`-like object. */
export type HeaderGetter = (name: string) => string | null | undefined;

/** Epoch seconds are > 1e9 (2001); a delta in seconds from a server is never that large. */
const EPOCH_SECONDS_THRESHOLD = 1e9;

/**
 * Milliseconds the server asks us to wait, from `Retry-After` (delta seconds or an HTTP date), else from
 * `RateLimit-Reset`/`X-RateLimit-Reset` (delta seconds per the IETF draft, or Unix epoch **seconds** as GitLab sends),
 * else `RateLimit-ResetTime` (an HTTP date, GitLab). `undefined` when no header says. Never negative.
 */
export function serverDelayMs(header: HeaderGetter, nowMs: number): number | undefined {
  const retryAfter = header('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.max(0, Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const reset = (header('ratelimit-reset') ?? header('x-ratelimit-reset'))?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) {
    const value = Number(reset);
    return Math.max(0, value > EPOCH_SECONDS_THRESHOLD ? value * 1000 - nowMs : value * 1000);
  }
  const resetTime = header('ratelimit-resettime')?.trim();
  if (resetTime) {
    const at = Date.parse(resetTime);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  return undefined;
}

/** Whether the server says the rate-limit window is used up (`RateLimit-Remaining: 0`). */
export function rateLimitExhausted(header: HeaderGetter): boolean {
  const remaining = (header('ratelimit-remaining') ?? header('x-ratelimit-remaining'))?.trim();
  return remaining !== undefined && remaining !== '' && Number(remaining) <= 0;
}

/** Backoff settings for {@link backoffDelayMs}. */
export interface BackoffOptions {
  /** Delay before the first retry, ms; doubled per attempt. */
  baseDelayMs: number;
  /** Cap of any computed delay, ms. */
  maxDelayMs: number;
  /** Random source in [0, 1); injectable for tests. */
  random: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed, half random, so retries of many
 * clients spread out but never retry immediately. `attempt` is 0 for the first retry.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.round(exponential / 2 + (exponential / 2) * options.random());
}

/**
 * The delay before retry number `attempt` (0-based): what the server asked for when it said, else the backoff.
 * A server delay is honoured even beyond `maxDelayMs` up to `maxServerDelayMs`, since retrying earlier only earns another 429.
 */
export function retryDelayMs(attempt: number, header: HeaderGetter | undefined, nowMs: number, options: BackoffOptions & { maxServerDelayMs: number }): number {
  const server = header ? serverDelayMs(header, nowMs) : undefined;
  if (server !== undefined) return Math.min(server, options.maxServerDelayMs);
  return backoffDelayMs(attempt, options);
}
