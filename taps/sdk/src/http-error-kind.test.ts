import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { causeChain, exitCodeFor, ObservesError } from '@observes/protocol';
import { delay, startFakeApi, type FakeApi } from '@observes/testkit';
import { HttpClient, HttpError } from './http-client.js';

describe('HttpError kinds', () => {
  let api: FakeApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  const fail = async (http: HttpClient, path: string) =>
    (await http.get(path).then(
      () => undefined,
      (e: unknown) => e,
    )) as HttpError;
  const noSleep = { sleep: async () => undefined, random: () => 0 };

  for (const status of [500, 503, 429, 408]) {
    it(`retries exhausted on ${status}: a transient failure (retryable, exit 1) that keeps its status`, async () => {
      api = await startFakeApi({ routes: [{ path: '/x', handler: () => ({ status, body: 'busy' }) }] });
      const error = await fail(new HttpClient({ baseUrl: api.url, maxRetries: 1, ...noSleep }), '/x');
      expect(error).to.be.instanceOf(HttpError).and.instanceOf(ObservesError);
      expect(error).to.include({ kind: 'transient', retryable: true, status, method: 'GET' });
      expect(exitCodeFor(error)).to.equal(1);
    });
  }

  for (const status of [400, 401, 403, 404]) {
    it(`${status}: a refused request at once (kind config, not retryable, exit 2) with its status`, async () => {
      api = await startFakeApi({ routes: [{ path: '/x', handler: () => ({ status, body: 'no' }) }] });
      const error = await fail(new HttpClient({ baseUrl: api.url, maxRetries: 3, ...noSleep }), '/x');
      expect(error).to.be.instanceOf(HttpError);
      expect(error).to.include({ kind: 'config', retryable: false, status });
      expect(exitCodeFor(error)).to.equal(2);
      expect(api.requests).to.have.length(1);
    });
  }

  it('a timeout: transient, no status, the timeout as its cause', async () => {
    api = await startFakeApi({ routes: [{ path: '/slow', handler: () => ({ body: [] }) }], behaviours: [delay(300)] });
    const error = await fail(new HttpClient({ baseUrl: api.url, timeoutMs: 30, maxRetries: 0, ...noSleep }), '/slow');
    expect(error).to.include({ kind: 'transient', retryable: true, status: undefined });
    expect((error.cause as Error).name).to.equal('TimeoutError');
    expect(exitCodeFor(error)).to.equal(1);
  });

  it('a dropped connection: transient, the network error as its cause, in the cause chain', async () => {
    const server = createServer((req) => void req.socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const error = await fail(new HttpClient({ baseUrl: url, maxRetries: 1, ...noSleep }), '/x');
      expect(error).to.include({ kind: 'transient', retryable: true, status: undefined });
      expect(error.message).to.match(/failed after 2 attempts: network error: /);
      expect(error.cause).to.be.instanceOf(Error);
      const chain = causeChain(error);
      expect(chain[0]).to.equal(error.message);
      expect(chain.length).to.be.greaterThan(1);
    } finally {
      server.close();
    }
  });
});
