import { expect } from 'chai';
import { registerSecret, isExactNumber } from '@observes/protocol';
import { startFakeApi, delay, failRequests, rateLimit, requireAuth, pagePaginated, offsetPaginated, type FakeApi } from '@observes/testkit';
import { HttpClient, HttpError, type HttpClientOptions } from './http-client.js';
import { cursorPaginator, keysetPaginator, linkHeaderPaginator, nextLink, nextPageHeaderPaginator, offsetPaginator, pageNumberPaginator } from './paginators.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const items = Array.from({ length: 25 }, (_, i) => ({ id: i + 1 }));
const TOKEN = 'glpat-super-secret-token';

/** A client that records the delays it would sleep instead of sleeping. */
function client(api: FakeApi | undefined, options: HttpClientOptions = {}) {
  const sleeps: number[] = [];
  const http = new HttpClient({ baseUrl: api!.url, headers: { 'private-token': TOKEN }, sleep: async (ms) => void sleeps.push(ms), random: () => 0, ...options });
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
      for await (const item of http.paginate<{ id: number }>('/items', { paginator: keysetPaginator({ param: 'id_after', key: (i) => i.id, size: 10 }) })) got.push(item);
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
      api = await startFakeApi({ routes: [{ path: '/items', handler: () => ({ body: [] }) }], behaviours: [rateLimit({ nth: [1], retryAfterSeconds: null, resetInSeconds: 30 })] });
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
      const error = await http.get('/items').then(() => undefined, (e: unknown) => e);
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
      api = await startFakeApi({ routes: [{ path: '/items', handler: () => ({ body: [] }) }], behaviours: [requireAuth({ header: 'private-token', value: 'another' })] });
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
    api = await startFakeApi({ routes: [{ path: '/n', handler: () => ({ headers: { 'content-type': 'application/json' }, body: '{"id": 12345678901234567890123}' }) }] });
    const { http } = client(api);
    const body = await http.get<{ id: unknown }>('/n');
    expect(isExactNumber(body.id)).to.equal(true);
  });
});
