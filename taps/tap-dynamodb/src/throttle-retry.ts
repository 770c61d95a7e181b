/** Error names DynamoDB uses when a request is over the table's or the account's throughput. */
const THROTTLE_ERRORS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/** Whether `error` is DynamoDB throttling (worth waiting and retrying), not a real failure. */
export function isThrottle(error: unknown): boolean {
  return typeof error === 'object' && error !== null && THROTTLE_ERRORS.has((error as { name?: string }).name ?? '');
}

/** Options of {@link withThrottleRetry}. */
export interface ThrottleRetryOptions {
  /** Retries after the first attempt before giving up; default 10. */
  retries?: number;
  /** Delay before the first retry in ms; doubles each retry. Default 200. */
  baseDelayMs?: number;
  /** Longest delay in ms. Default 20,000. */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1) for jitter; default `Math.random`. */
  random?: () => number;
  /** Waits `ms`; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait, e.g. to log it. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/**
 * Delay before retry number `attempt` (1-based): "full jitter" exponential backoff, a random delay
 * between 0 and min(max, base × 2^(attempt−1)), so that concurrent segments throttled together do not
 * retry together.
 */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

const sleepTimer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `request`, retrying it with {@link backoffDelay} while it fails with throttling (on top of the AWS
 * SDK's own few retries, whose retry quota runs dry on a long throttled scan). Other errors, and
 * throttling beyond `retries`, are thrown as they are.
 */
export async function withThrottleRetry<T>(request: () => Promise<T>, options: ThrottleRetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 10;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? sleepTimer;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!isThrottle(error) || attempt > retries) throw error;
      const delay = backoffDelay(attempt, options.baseDelayMs ?? 200, options.maxDelayMs ?? 20_000, random);
      options.onRetry?.(attempt, delay, error);
      await sleep(delay);
    }
  }
}
