import { expect } from 'chai';
import type { HttpResponse } from '@observes/tap-sdk';
import { updatedAfterPaginator } from './updated-after-paginator.js';

const response = {} as HttpResponse;
const at = (...times: string[]) => times.map((t, i) => ({ id: i, updated_at: `2024-05-01T00:00:${t}Z` }));

describe('updatedAfterPaginator', () => {
  const paginator = updatedAfterPaginator(3);
  const first = paginator.first({ url: 'projects/1/pipelines', query: { order_by: 'updated_at', sort: 'asc', updated_after: undefined } });

  it('asks for the first page with the page size', () => {
    expect(first).to.deep.equal({
      url: 'projects/1/pipelines',
      query: { order_by: 'updated_at', sort: 'asc', updated_after: undefined, page: 1, per_page: 3 },
    });
  });

  it('stops on a short page', () => {
    expect(paginator.next(first, response, at('01.000', '02.000'))).to.equal(undefined);
  });

  it('restarts from 1 ms before the last timestamp of a full page, at page 1', () => {
    const next = paginator.next({ ...first, query: { ...first.query, page: 1 } }, response, at('01.000', '02.000', '03.000'));
    expect(next?.query).to.include({ updated_after: '2024-05-01T00:00:02.999Z', page: 1 });
  });

  it('turns the page when a whole page shares one timestamp', () => {
    const next = paginator.next(first, response, at('05.000', '05.000', '05.000'));
    expect(next?.query).to.include({ page: 2 });
    expect(next?.query.updated_after).to.equal(undefined);
  });

  it('turns the page when moving the filter would not move it forward', () => {
    const current = { ...first, query: { ...first.query, updated_after: '2024-05-01T00:00:04.999Z', page: 1 } };
    const next = paginator.next(current, response, at('04.999', '05.000', '05.000'));
    expect(next?.query).to.include({ updated_after: '2024-05-01T00:00:04.999Z', page: 2 });
  });
});
