import { expect } from 'chai';
import type { HttpClient } from '@observes/tap-sdk';
import { updatedListing } from './updated-listing.js';

/** An HTTP client whose listings are the given walks, one per `paginate` call, in order. */
function clientOf(walks: Array<() => AsyncGenerator<{ id: number; updated_at: string }>>): HttpClient {
  let call = 0;
  return { paginate: () => walks[call++]() } as unknown as HttpClient;
}

describe('updatedListing over several listings', () => {
  it('merges them oldest update first', async () => {
    const walk = (...items: Array<[number, string]>) =>
      async function* () {
        for (const [id, second] of items) yield { id, updated_at: `2024-05-01T00:00:${second}Z` };
      };
    const http = clientOf([walk([1, '01'], [3, '03']), walk([2, '02'], [4, '04'])]);
    const ids: number[] = [];
    for await (const item of updatedListing(http, 'projects/1/pipelines', { perPage: 5, listings: [{}, { source: 'parent_pipeline' }] })) ids.push(item.id);
    expect(ids).to.deep.equal([1, 2, 3, 4]);
  });

  it('fails only after the other listings have settled, so none goes on requesting behind the error', async () => {
    let otherSettled = false;
    const http = clientOf([
      // biome-ignore lint/correctness/useYield: a listing whose first page fails
      async function* () {
        throw new Error('GET projects/1/pipelines failed: 403 Forbidden');
      },
      async function* () {
        // Still retrying its first page when the other fails.
        await new Promise((resolve) => setTimeout(resolve, 50));
        otherSettled = true;
        yield { id: 1, updated_at: '2024-05-01T00:00:01Z' };
      },
    ]);
    let error: Error | undefined;
    try {
      for await (const _ of updatedListing(http, 'projects/1/pipelines', { perPage: 5, listings: [{}, { source: 'parent_pipeline' }] })) {
        // nothing: the listing fails first
      }
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.contain('403 Forbidden');
    expect(otherSettled, 'the other listing had finished its page when the error surfaced').to.equal(true);
  });
});
