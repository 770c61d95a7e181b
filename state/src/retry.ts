/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Retries after the first attempt (0: try once). */
  retries: number;
  /** Delay cap of the first retry in ms; doubles per retry (default 200). */
  baseDelayMs?: number;
  /** Largest delay cap in ms (default 20 000). */
  maxDelayMs?: number;
  /** Whether an error is worth another attempt (default: every error). */
  isRetryable?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log the retry. */
  onRetry?: (error: unknown, retry: number, delayMs: number) => void;
  /** Stops waiting and retrying when aborted; the last error is thrown. */
  signal?: AbortSignal;
  /** Random source in [0, 1), injectable for tests (default `Math.random`). */
  random?: () => number;
}

/**
 * Delay before retry number `retry` (1-based): "full jitter" exponential backoff, a random delay
 * between 0 and `min(maxDelayMs, baseDelayMs * 2^(retry-1))`, so that many clients retrying at
 * once spread out instead of hammering the server in lockstep.
 */
export function backoffDelay(retry: number, baseDelayMs = 200, maxDelayMs = 20_000, random: () => number = Math.random): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * cap);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, the error is not retryable, or `retries` retries were spent,
 * waiting {@link backoffDelay} between attempts. Throws the last error.
 * @param attempt - receives the attempt number, 0 for the first
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const retryable = options.isRetryable?.(error) ?? true;
      if (n >= options.retries || !retryable || options.signal?.aborted) throw error;
      const delay = backoffDelay(n + 1, options.baseDelayMs, options.maxDelayMs, options.random);
      options.onRetry?.(error, n + 1, delay);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}
