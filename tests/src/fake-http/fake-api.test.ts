import { expect } from 'chai';
import {
  cursorPaginated,
  delay,
  failRequests,
  ignoreQuery,
  keysetPaginated,
  offsetPaginated,
  pagePaginated,
  rateLimit,
  requireAuth,
  startFakeApi,
  throttleFor,
  type FakeApi,
} from './index.js';

const items = Array.from({ length: 7 }, (_, i) => ({ id: i + 1 }));

describe('fake HTTP API', () => {
  let api: FakeApi;
  afterEach(() => api.close());

  it('pages GitLab style with totals and Link headers, logging each request with its headers', async () => {
    api = await startFakeApi({
      behaviours: [requireAuth({ header: 'PRIVATE-TOKEN', value: 's3cret' })],
      routes: [{ path: '/api/v4/projects/:id/jobs', handler: pagePaginated(items) }],
    });
    const seen: unknown[] = [];
    let url: string | undefined = `${api.url}/api/v4/projects/group%2Fproject/jobs?per_page=3`;
    while (url) {
      const response: Response = await fetch(url, { headers: { 'private-token': 's3cret' } });
      expect(response.headers.get('x-total')).to.equal('7');
      expect(response.headers.get('x-total-pages')).to.equal('3');
      seen.push(...((await response.json()) as unknown[]));
      url = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    expect(seen).to.deep.equal(items);
    expect(api.requests.map((r) => [r.query.page, r.status, r.headers['private-token']])).to.deep.equal([
      [undefined, 200, 's3cret'],
      ['2', 200, 's3cret'],
      ['3', 200, 's3cret'],
    ]);
  });

  it('omits totals and the last link when asked, and still says the next page', async () => {
    api = await startFakeApi({ routes: [{ path: '/jobs', handler: pagePaginated(items, { omitTotals: true }) }] });
    const response = await fetch(`${api.url}/jobs?page=2&per_page=3`);
    expect(response.headers.get('x-total')).to.equal(null);
    expect(response.headers.get('x-next-page')).to.equal('3');
    expect(response.headers.get('link')).to.not.contain('rel="last"');
    expect(await response.json()).to.deep.equal([{ id: 4 }, { id: 5 }, { id: 6 }]);
  });

  it('answers 401 without the credential', async () => {
    api = await startFakeApi({
      behaviours: [requireAuth({ header: 'authorization', value: 'Bearer t' })],
      routes: [{ path: '/x', handler: () => ({ body: [] }) }],
    });
    expect((await fetch(`${api.url}/x`)).status).to.equal(401);
    expect((await fetch(`${api.url}/x`, { headers: { authorization: 'Bearer t' } })).status).to.equal(200);
  });

  it('rate-limits the chosen requests with Retry-After and RateLimit headers', async () => {
    api = await startFakeApi({
      behaviours: [rateLimit({ nth: [2], retryAfterSeconds: 3, resetInSeconds: 60 })],
      routes: [{ path: '/x', handler: () => ({ body: [] }) }],
    });
    expect((await fetch(`${api.url}/x`)).status).to.equal(200);
    const limited = await fetch(`${api.url}/x`);
    expect(limited.status).to.equal(429);
    expect(limited.headers.get('retry-after')).to.equal('3');
    expect(limited.headers.get('ratelimit-remaining')).to.equal('0');
    expect(Number(limited.headers.get('ratelimit-reset'))).to.be.greaterThan(Date.now() / 1000);
    expect((await fetch(`${api.url}/x`)).status).to.equal(200);
  });

  it('fails the Nth request of a path with a 5xx, and delays responses', async () => {
    api = await startFakeApi({
      behaviours: [delay(5), failRequests({ nth: [1], status: 503, path: /^\/y/ })],
      routes: [
        { path: '/x', handler: () => ({ body: 'x' }) },
        { path: '/y', handler: () => ({ body: 'y' }) },
      ],
    });
    const statuses = [];
    for (const path of ['/x', '/y', '/y', '/nope']) statuses.push((await fetch(api.url + path)).status);
    expect(statuses).to.deep.equal([200, 503, 200, 404]);
  });

  it('pages by offset and by opaque cursor', async () => {
    api = await startFakeApi({
      routes: [
        { path: '/offset', handler: offsetPaginated(items) },
        { path: '/cursor', handler: cursorPaginated((request) => items.filter((item) => item.id > Number(request.query.after ?? 0))) },
      ],
    });
    const offsetPage = await fetch(`${api.url}/offset?offset=5&limit=5`);
    expect(offsetPage.headers.get('x-total')).to.equal('7');
    expect(await offsetPage.json()).to.deep.equal([{ id: 6 }, { id: 7 }]);
    const ids: number[] = [];
    let cursor: string | null = '';
    do {
      const page = (await (await fetch(`${api.url}/cursor?after=2&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        data: { id: number }[];
        next_cursor: string | null;
      };
      ids.push(...page.data.map((item) => item.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(ids).to.deep.equal([3, 4, 5, 6, 7]);
  });

  it('pages by keyset, newest first, with an opaque cursor in the Link header and none on the last page', async () => {
    const below = (limit: number, key?: number) =>
      items
        .filter((i) => key === undefined || i.id < key)
        .sort((a, b) => b.id - a.id)
        .slice(0, limit);
    api = await startFakeApi({ routes: [{ path: '/jobs', handler: keysetPaginated((_r, key, limit) => below(limit, key), { key: (i) => i.id }) }] });
    const ids: number[] = [];
    let url: string | undefined = `${api.url}/jobs?pagination=keyset&per_page=3&order_by=id&sort=desc`;
    while (url) {
      const response: Response = await fetch(url);
      expect(response.headers.get('x-total')).to.equal(null);
      ids.push(...((await response.json()) as { id: number }[]).map((i) => i.id));
      url = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
      if (url) expect(new URL(url).searchParams.get('pagination')).to.equal('keyset');
    }
    expect(ids).to.deep.equal([7, 6, 5, 4, 3, 2, 1]);
    expect((await fetch(`${api.url}/jobs?cursor=not-a-cursor`)).status).to.equal(400);
  });

  it('throttles with bare 429s for a while on the given clock, then lets requests through', async () => {
    let now = 1_000_000;
    api = await startFakeApi({
      behaviours: [throttleFor({ durationMs: 40_000, now: () => now, path: /^\/x/ })],
      routes: [
        { path: '/x', handler: () => ({ body: [] }) },
        { path: '/y', handler: () => ({ body: [] }) },
      ],
    });
    const first = await fetch(`${api.url}/x`);
    expect(first.status).to.equal(429);
    expect([first.headers.get('retry-after'), first.headers.get('ratelimit-reset')]).to.deep.equal([null, null]);
    expect((await fetch(`${api.url}/y`)).status).to.equal(200);
    now += 39_999;
    expect((await fetch(`${api.url}/x`)).status).to.equal(429);
    now += 1;
    expect((await fetch(`${api.url}/x`)).status).to.equal(200);
  });

  it('can ignore a paging parameter, so every page is the first', async () => {
    api = await startFakeApi({ behaviours: [ignoreQuery({ params: ['page'] })], routes: [{ path: '/x', handler: pagePaginated(items) }] });
    const page3 = (await (await fetch(`${api.url}/x?page=3&per_page=2`)).json()) as unknown[];
    expect(page3).to.deep.equal([{ id: 1 }, { id: 2 }]);
  });
});
