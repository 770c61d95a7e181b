import { expect } from 'chai';
import { registerSecret, isExactNumber } from '@observes/protocol';
import {
  startFakeApi,
  delay,
  failRequests,
  ignoreQuery,
  rateLimit,
  requireAuth,
  pagePaginated,
  offsetPaginated,
  throttleFor,
  type FakeApi,
} from '@observes/testkit';
import { HttpClient, HttpError, RepeatedPageError, type HttpClientOptions } from './http-client.js';
import {
  cursorPaginator,
  keysetPaginator,
  linkHeaderPaginator,
  nextLink,
  nextPageHeaderPaginator,
  offsetPaginator,
  pageNumberPaginator,
} from './paginators.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const items = Array.from({ length: 25 }, (_, i) => ({ id: i + 1 }));
const TOKEN = 'glpat-super-secret-token';

/** A client that records the delays it would sleep instead of sleeping. */
function client(api: FakeApi | undefined, options: HttpClientOptions = {}) {
  const sleeps: number[] = [];
  const http = new HttpClient({
    baseUrl: api!.url,
    headers: { 'private-token': TOKEN },
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
    ...options,
  });
  return { http, sleeps };
}

describe('HttpClient', () => {
  let api: FakeApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  describe('pagination', () => {
    it('walks page/per_page pages until a short page', async () => {
      api = await startFakeApi({ routes: [{ path: '/items', handler: pagePaginated(items) }] });
      const { http } = client(api);
      const got = [];
      for await (const item of http.paginate('/items', { paginator: pageNumberPaginator({ size: 10 }) })) got.push(item);
      expect(got).to.deep.equal(items);
      expect(api.requests.map((r) => r.query.page)).to.deep.equal(['1', '2', '3']);
    });

    it('follows Link rel="next" (GitLab, totals omitted on large collections)', async () => {
      api = await startFakeApi({ routes: [{ path: '/items', handler: pagePaginated(items, { omitTotals: true }) }] });
      const { http } = client(api);
      const got = [];
      for await (const item of http.paginate('/items', { paginator: linkHeaderPaginator({ size: 10 }), query: { order_by: 'id' } })) got.push(item);
      expect(got).to.deep.equal(items);
      expect(api.requests.every((r) => r.query.order_by === 'id')).to.equal(true);
    });

    it('follows X-Next-Page until it is empty', async () => {
      api = await startFakeApi({ routes: [{ path: '/items', handler: pagePaginated(items, { omitTotals: true }) }] });
      const { http } = client(api);
      const got = [];
      for await (const item of http.paginate('/items', { paginator: nextPageHeaderPaginator({ size: 20 }) })) got.push(item);
      expect(got).to.deep.equal(items);
      expect(api.requests).to.have.length(2);
    });

    it('walks offset/limit pages', async () => {
      api = await startFakeApi({ routes: [{ path: '/items', handler: offsetPaginated(items) }] });
      const { http } = client(api);
      const got = [];
      for await (const item of http.paginate('/items', { paginator: offsetPaginator({ limit: 10 }) })) got.push(item);
      expect(got).to.deep.equal(items);
      expect(api.requests.map((r) => r.query.offset)).to.deep.equal(['0', '10', '20']);
    });

    it('follows an opaque cursor from the body', async () => {
      api = await startFakeApi({
        routes: [
          {
            path: '/items',
            handler: (request) => {
              const start = Number(request.query.cursor ?? 0);
              const page = items.slice(start, start + 10);
              return { body: { data: page, next: start + 10 < items.length ? String(start + 10) : null } };
            },
          },
        ],
      });
      const { http } = client(api);
      const got = [];
      const paginator = cursorPaginator({ param: 'cursor', nextCursor: (body) => body.next });
      for await (const item of http.paginate('/items', { paginator, items: (body) => body.data })) got.push(item);
      expect(got).to.deep.equal(items);
    });

    it('walks keyset pages by the last key', async () => {
      api = await startFakeApi({
        routes: [{ path: '/items', handler: (r) => ({ body: items.filter((i) => i.id > Number(r.query.id_after ?? 0)).slice(0, Number(r.query.per_page)) }) }],
      });
      const { http } = client(api);
      const got = [];
      for await (const item of http.paginate<{ id: number }>('/items', { paginator: keysetPaginator({ param: 'id_after', key: (i) => i.id, size: 10 }) }))
        got.push(item);
      expect(got).to.deep.equal(items);
      expect(api.requests.map((r) => r.query.id_after)).to.deep.equal([undefined, '10', '20']);
    });

    it('stops fetching when the consumer stops', async () => {
      api = await startFakeApi({ routes: [{ path: '/items', handler: pagePaginated(items) }] });
      const { http } = client(api);
      for await (const item of http.paginate<{ id: number }>('/items', { paginator: pageNumberPaginator({ size: 10 }) })) if (item.id === 3) break;
      expect(api.requests).to.have.length(1);
    });

    it('parses the rel="next" of a Link header with several relations', () => {
      expect(nextLink('<https://x/a?page=1>; rel="first", <https://x/a?page=3>; rel="next", <https://x/a?page=9>; rel="last"')).to.equal('https://x/a?page=3');
      expect(nextLink('<https://x/a?page=1>; rel="prev first"')).to.equal(undefined);
      expect(nextLink(undefined)).to.equal(undefined);
    });
  });

  describe('retries', () => {
    it('retries a 429 after the Retry-After the server asked for', async () => {
      api = await startFakeApi({ routes: [{ path: '/items', handler: () => ({ body: items }) }], behaviours: [rateLimit({ nth: [1], retryAfterSeconds: 7 })] });
      const { http, sleeps } = client(api);
      expect(await http.get('/items')).to.deep.equal(items);
      expect(sleeps).to.deep.equal([7000]);
      expect(api.requests.map((r) => r.status)).to.deep.equal([429, 200]);
    });

    it('waits until RateLimit-Reset (epoch seconds) when there is no Retry-After', async () => {
      api = await startFakeApi({
        routes: [{ path: '/items', handler: () => ({ body: [] }) }],
        behaviours: [rateLimit({ nth: [1], retryAfterSeconds: null, resetInSeconds: 30 })],
      });
      const now = Date.now();
      const { http, sleeps } = client(api, { now: () => now });
      await http.get('/items');
      // The server rounds its reset up to a whole epoch second, measured some time after `now`.
      const elapsed = Date.now() - now;
      expect(sleeps).to.have.length(1);
      expect(sleeps[0]).to.be.within(30_000, 31_000 + elapsed);
    });

    it('retries 5xx with exponential backoff and recovers mid-pagination without gaps or duplicates', async () => {
      api = await startFakeApi({ routes: [{ path: '/items', handler: pagePaginated(items) }], behaviours: [failRequests({ nth: [2, 3], status: 503 })] });
      const { http, sleeps } = client(api, { baseDelayMs: 100 });
      const got = [];
      for await (const item of http.paginate('/items', { paginator: pageNumberPaginator({ size: 10 }) })) got.push(item);
      expect(got).to.deep.equal(items);
      expect(sleeps).to.deep.equal([50, 100]);
      expect(api.requests.map((r) => `${r.query.page}:${r.status}`)).to.deep.equal(['1:200', '2:503', '2:503', '2:200', '3:200']);
    });

    it('gives up after maxRetries with method, URL and status', async () => {
      api = await startFakeApi({ routes: [{ path: '/items', handler: () => ({ status: 502, body: 'bad gateway' }) }] });
      const { http } = client(api, { maxRetries: 2 });
      const error = await http.get('/items').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(HttpError);
      expect((error as HttpError).message).to.match(/^GET http:\/\/127\.0\.0\.1:\d+\/items failed after 3 attempts: 502/);
      expect(api.requests).to.have.length(3);
    });

    it('times out slow responses and retries them', async () => {
      api = await startFakeApi({ routes: [{ path: '/slow', handler: () => ({ body: [] }) }], behaviours: [delay(300)] });
      const { http, sleeps } = client(api, { timeoutMs: 30, maxRetries: 1 });
      const error = (await http.get('/slow').catch((e: unknown) => e)) as HttpError;
      expect(error.message).to.match(/^GET http:\/\/127\.0\.0\.1:\d+\/slow failed after 2 attempts: timed out after 30 ms$/);
      expect(sleeps).to.have.length(1);
    });

    it('retries network errors', async () => {
      // A server that drops the first connection, then answers.
      let calls = 0;
      const server = createServer((req, res) => {
        if (++calls === 1) return void req.socket.destroy();
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const sleeps: number[] = [];
        const http = new HttpClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sleep: async (ms) => void sleeps.push(ms) });
        expect(await http.get('/x')).to.deep.equal({ ok: true });
        expect(sleeps).to.have.length(1);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('fails fast on other 4xx, naming method, URL and status, with secrets stripped', async () => {
      registerSecret(TOKEN);
      api = await startFakeApi({
        routes: [{ path: '/items', handler: () => ({ body: [] }) }],
        behaviours: [requireAuth({ header: 'private-token', value: 'another' })],
      });
      const { http, sleeps } = client(api);
      const error = (await http.get('/items', { private_token: TOKEN, per_page: 5 }).catch((e: unknown) => e)) as HttpError;
      expect(error).to.be.instanceOf(HttpError);
      expect(error.status).to.equal(401);
      expect(error.message).to.match(/^GET http:\/\/127\.0\.0\.1:\d+\/items\?private_token=\*\*\*&per_page=5 failed: 401 Unauthorized/);
      expect(error.message).not.to.include(TOKEN);
      expect(sleeps).to.deep.equal([]);
      expect(api.requests).to.have.length(1);
    });
  });

  it('holds requests while RateLimit-Remaining is 0 until the reset', async () => {
    const now = Date.now();
    api = await startFakeApi({ routes: [{ path: '/items', handler: () => ({ headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '12' }, body: [] }) }] });
    const { http, sleeps } = client(api, { now: () => now });
    await http.get('/items');
    await http.get('/items');
    expect(sleeps).to.deep.equal([12_000]);
  });

  it('spaces requests by the per-tap rate limit', async () => {
    let now = 1_000_000;
    api = await startFakeApi({ routes: [{ path: '/items', handler: () => ({ body: [] }) }] });
    const sleeps: number[] = [];
    const http = new HttpClient({ baseUrl: api!.url, requestsPerSecond: 4, now: () => now, sleep: async (ms) => void (sleeps.push(ms), (now += ms)) });
    for (let i = 0; i < 3; i++) await http.get('/items');
    expect(sleeps).to.deep.equal([250, 250]);
  });

  it('keeps big integers exact in JSON bodies', async () => {
    api = await startFakeApi({
      routes: [{ path: '/n', handler: () => ({ headers: { 'content-type': 'application/json' }, body: '{"id": 12345678901234567890123}' }) }],
    });
    const { http } = client(api);
    const body = await http.get<{ id: unknown }>('/n');
    expect(isExactNumber(body.id)).to.equal(true);
  });

  describe('retry budget', () => {
    /** A fake clock that sleeping advances: the client and the fake server share it, so nothing waits for real. */
    const clock = { now: 1_700_000_000_000 };
    const now = () => clock.now;
    function clocked(options: HttpClientOptions) {
      const sleeps: number[] = [];
      const http = new HttpClient({
        baseUrl: api!.url,
        random: () => 0,
        now,
        sleep: async (ms) => void (sleeps.push(ms), (clock.now += ms)),
        ...options,
      });
      return { http, sleeps };
    }

    it('outlasts 40 s of bare 429s (no Retry-After, no RateLimit-*) within a 120 s budget', async () => {
      api = await startFakeApi({ behaviours: [throttleFor({ durationMs: 40_000, now })], routes: [{ path: '/items', handler: () => ({ body: items }) }] });
      const { http, sleeps } = clocked({ retryBudgetMs: 120_000 });
      expect(await http.get('/items')).to.deep.equal(items);
      // Equal jitter at its low end (random 0): 0.5, 1, 2, 4, 8, 16 s, then half the 60 s cap: the eighth attempt is past the window.
      expect(sleeps).to.deep.equal([500, 1000, 2000, 4000, 8000, 16_000, 30_000]);
      expect(api.requests.map((r) => r.status)).to.deep.equal([429, 429, 429, 429, 429, 429, 429, 200]);
    });

    it('gives up when the waits used the budget, the last wait shortened to fit, naming the budget', async () => {
      api = await startFakeApi({ behaviours: [throttleFor({ durationMs: Infinity })], routes: [{ path: '/items', handler: () => ({ body: items }) }] });
      const { http, sleeps } = clocked({ retryBudgetMs: 10_000 });
      const error = (await http.get('/items').catch((e: unknown) => e)) as HttpError;
      expect(error).to.be.instanceOf(HttpError);
      expect(error.message).to.match(/failed after 6 attempts and 10 s of waiting \(the 10 s retry budget\): 429/);
      expect(sleeps).to.deep.equal([500, 1000, 2000, 4000, 2500]);
    });

    it('without a budget keeps the count limit: five retries, ~15.5 s of waiting at the low end', async () => {
      api = await startFakeApi({ behaviours: [throttleFor({ durationMs: Infinity })], routes: [{ path: '/items', handler: () => ({ body: items }) }] });
      const { http, sleeps } = clocked({});
      const error = (await http.get('/items').catch((e: unknown) => e)) as HttpError;
      expect(error.message).to.contain('failed after 6 attempts: 429');
      expect(sleeps.reduce((a, b) => a + b)).to.equal(15_500);
    });

    it('fails at once when the server asks for more than the budget has left', async () => {
      api = await startFakeApi({
        behaviours: [rateLimit({ nth: [1], retryAfterSeconds: 600 })],
        routes: [{ path: '/items', handler: () => ({ body: items }) }],
      });
      const { http, sleeps } = clocked({ retryBudgetMs: 60_000 });
      const error = (await http.get('/items').catch((e: unknown) => e)) as HttpError;
      expect(error.message).to.contain('the server asks to wait 600 s, more than the 60 s left of the 60 s retry budget');
      expect(sleeps).to.deep.equal([]);
    });
  });

  it('spaces the requests of a route by its own limit, on top of the tap-wide one', async () => {
    let now = 1_000_000;
    api = await startFakeApi({
      routes: [
        { path: '/slow/:id', handler: () => ({ body: [] }) },
        { path: '/fast', handler: () => ({ body: [] }) },
      ],
    });
    const sleeps: number[] = [];
    const http = new HttpClient({
      baseUrl: api!.url,
      requestsPerSecond: 100,
      routeLimits: [{ path: /^\/slow\//, requestsPerSecond: 0.5 }],
      now: () => now,
      sleep: async (ms) => void (sleeps.push(ms), (now += ms)),
    });
    await http.get('/slow/1');
    await http.get('/fast');
    await http.get('/slow/2');
    // Every request waits the tap-wide 10 ms (no time passes on this clock otherwise); the second /slow then
    // waits until 2 s after the first.
    expect(sleeps).to.deep.equal([10, 10, 1980]);
  });

  describe('repeated pages', () => {
    it('fails, naming the page, when an endpoint ignores the page parameter', async () => {
      api = await startFakeApi({ behaviours: [ignoreQuery({ params: ['page'] })], routes: [{ path: '/items', handler: pagePaginated(items) }] });
      const { http } = client(api);
      const got: unknown[] = [];
      const error = await (async () => {
        for await (const item of http.paginate('/items', { paginator: pageNumberPaginator({ size: 10 }) })) got.push(item);
      })().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RepeatedPageError);
      expect((error as Error).message).to.match(/page=2&per_page=10: page 2 has the same 10 items as page 1/);
      expect(got).to.have.length(10);
      expect(api.requests).to.have.length(2);
    });

    it('fails when a cursor leads back to a page already requested', async () => {
      api = await startFakeApi({
        routes: [
          {
            path: '/items',
            handler: (r) => ({ body: { data: [{ id: r.query.cursor ?? 'start' }], next: r.query.cursor === 'b' ? 'a' : r.query.cursor === 'a' ? 'b' : 'a' } }),
          },
        ],
      });
      const { http } = client(api);
      const paginator = cursorPaginator({ param: 'cursor', nextCursor: (body) => body.next });
      const error = await (async () => {
        for await (const _ of http.paginate('/items', { paginator, items: (body) => body.data })) void _;
      })().catch((e: unknown) => e);
      expect((error as Error).message).to.match(/cursor=a: page 4 repeats the request of an earlier page/);
    });

    it('can be allowed for listings whose pages may be identical', async () => {
      let calls = 0;
      api = await startFakeApi({ routes: [{ path: '/items', handler: () => ({ body: ++calls <= 2 ? [{ same: true }] : [] }) }] });
      const { http } = client(api);
      const got: unknown[] = [];
      for await (const item of http.paginate('/items', { paginator: pageNumberPaginator({ size: 1 }), repeatedPages: 'allow' })) got.push(item);
      expect(got).to.have.length(2);
    });
  });
});
