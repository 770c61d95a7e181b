import { expect } from 'chai';
import { backoffDelay, isThrottle, withThrottleRetry } from './throttle-retry.js';

const throttle = (name = 'ProvisionedThroughputExceededException') => Object.assign(new Error('slow down'), { name });

describe('throttling retries', () => {
  it('computes full-jitter exponential delays, capped', () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffDelay(a, 100, 1000, () => 0.999))).to.deep.equal([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, 100, 1000, () => 0)).to.equal(0);
  });

  it('recognises DynamoDB throttling errors only', () => {
    expect(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'].every((n) => isThrottle(throttle(n)))).to.equal(true);
    expect(isThrottle(Object.assign(new Error('x'), { name: 'ValidationException' }))).to.equal(false);
    expect(isThrottle('ThrottlingException')).to.equal(false);
  });

  it('retries throttled requests with growing delays until one succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withThrottleRetry(
      async () => {
        calls++;
        if (calls < 4) throw throttle(calls === 2 ? 'ThrottlingException' : undefined);
        return 'page';
      },
      { baseDelayMs: 10, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).to.equal('page');
    expect(waits).to.deep.equal([5, 10, 20]);
  });

  it('gives up after its retries, and never retries other errors', async () => {
    let calls = 0;
    const failing = withThrottleRetry(
      async () => {
        calls++;
        throw throttle();
      },
      { retries: 2, sleep: async () => undefined },
    );
    await failing.then(
      () => expect.fail('should throw'),
      (error: Error) => expect(error.name).to.equal('ProvisionedThroughputExceededException'),
    );
    expect(calls).to.equal(3);

    calls = 0;
    await withThrottleRetry(
      async () => {
        calls++;
        throw new Error('access denied');
      },
      { sleep: async () => undefined },
    ).catch((error: Error) => expect(error.message).to.equal('access denied'));
    expect(calls).to.equal(1);
  });
});
