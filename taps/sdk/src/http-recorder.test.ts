import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registerSecret } from '@observes/protocol';
import { startFakeApi, pagePaginated, rateLimit } from '@observes/testkit';
import { HttpClient } from './http-client.js';
import { ReplayMissError } from './http-recorder.js';
import { pageNumberPaginator } from './paginators.js';
import { redactUrl } from './redact-url.js';

const TOKEN = 'recorded-secret-token-xyz';
const items = Array.from({ length: 15 }, (_, i) => ({ id: i + 1, owner: `user-${i}` }));

describe('record and replay', () => {
  it('records exchanges with credentials scrubbed and replays them offline, retries included', async () => {
    registerSecret(TOKEN);
    const dir = mkdtempSync(path.join(tmpdir(), 'sdk-record-'));
    const api = await startFakeApi({
      routes: [{ path: '/items', handler: (request) => ({ headers: { 'set-cookie': `session=${TOKEN}` }, ...pagePaginated(items)(request) }) }],
      behaviours: [rateLimit({ nth: [2], retryAfterSeconds: 1 })],
    });
    const walk = async (http: HttpClient) => {
      const got = [];
      for await (const item of http.paginate('/items', { paginator: pageNumberPaginator({ size: 10 }), query: { private_token: TOKEN } })) got.push(item);
      return got;
    };
    const noSleep = async () => {};
    try {
      const recorded = await walk(new HttpClient({ baseUrl: api.url, headers: { authorization: `Bearer ${TOKEN}` }, recordDir: dir, sleep: noSleep }));
      expect(recorded).to.deep.equal(items);
    } finally {
      await api.close();
    }
    const files = readdirSync(dir);
    expect(files).to.have.length(3); // page 1, the 429 on page 2, page 2 again
    const saved = files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
    expect(saved).not.to.include(TOKEN);
    expect(saved).to.include('"authorization": "***"');
    expect(saved).to.include('private_token=***');

    // The server is gone: replay answers from the recording, in the recorded order.
    const replayed = await walk(new HttpClient({ baseUrl: api.url, replayDir: dir, sleep: noSleep }));
    expect(replayed).to.deep.equal(items);
  });

  it('fails clearly on a request that was not recorded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdk-replay-'));
    const http = new HttpClient({ baseUrl: 'http://127.0.0.1:9', replayDir: dir });
    const error = await http.get('/never').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ReplayMissError);
    expect((error as Error).message).to.match(/no recorded exchange for GET http:\/\/127\.0\.0\.1:9\/never/);
  });
});

describe('redactUrl', () => {
  it('hides credential parameters only', () => {
    expect(redactUrl('https://x.test/a?private_token=abc&author_id=5&sort_key=name&key=k&client_secret=s&apiKey=q')).to.equal(
      'https://x.test/a?private_token=***&author_id=5&sort_key=name&key=***&client_secret=***&apiKey=***',
    );
    expect(redactUrl('https://user:pw@x.test/')).to.equal('https://***:***@x.test/');
  });
});
