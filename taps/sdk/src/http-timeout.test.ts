import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { HttpClient, HttpError } from './http-client.js';

describe('HttpClient timeout', () => {
  it('covers the body: a server that sends the headers and then stalls mid-body fails the attempt, and it is retried', async () => {
    const stalled: ServerResponse[] = [];
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[{"id": 1}, '); // the rest never comes
      stalled.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const sleeps: number[] = [];
      const http = new HttpClient({ baseUrl: url, timeoutMs: 200, maxRetries: 1, sleep: async (ms) => void sleeps.push(ms) });
      const started = Date.now();
      const error = (await http.get('/items').catch((e: unknown) => e)) as HttpError;
      expect(error).to.be.instanceOf(HttpError);
      expect(error.message).to.equal(`GET ${url}/items failed after 2 attempts: timed out after 200 ms`);
      expect(stalled, 'both attempts got headers, then waited on the body').to.have.length(2);
      expect(sleeps).to.have.length(1);
      expect(Date.now() - started).to.be.lessThan(3000);
    } finally {
      for (const res of stalled) res.destroy();
      server.close();
    }
  });
});
