import { expect } from 'chai';
import { backoffDelay, withRetry } from './retry.js';

describe('retry', () => {
  it('backs off exponentially with full jitter, capped', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, 100, 1000, top))).to.deep.equal([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, 100, 1000, () => 0)).to.equal(0);
    expect(backoffDelay(2, 100, 1000, () => 0.5)).to.equal(100);
  });

  it('retries retryable errors up to the limit, then throws the last error', async () => {
    const seen: number[] = [];
    const error = await withRetry(
      async (n) => {
        seen.push(n);
        throw new Error(`attempt ${n}`);
      },
      { retries: 3, baseDelayMs: 1 },
    ).catch((e: Error) => e);
    expect(seen).to.deep.equal([0, 1, 2, 3]);
    expect((error as Error).message).to.equal('attempt 3');
  });

  it('does not retry an error that is not retryable, and returns the first success', async () => {
    let calls = 0;
    const fatal = await withRetry(
      async () => {
        calls++;
        throw new Error('fatal');
      },
      { retries: 5, baseDelayMs: 1, isRetryable: () => false },
    ).catch((e: Error) => e.message);
    expect([fatal, calls]).to.deep.equal(['fatal', 1]);
    const retries: number[] = [];
    const value = await withRetry(
      async (n) => {
        if (n < 2) throw new Error('flaky');
        return 'ok';
      },
      { retries: 5, baseDelayMs: 1, onRetry: (_e, retry) => retries.push(retry) },
    );
    expect([value, retries]).to.deep.equal(['ok', [1, 2]]);
  });
});
