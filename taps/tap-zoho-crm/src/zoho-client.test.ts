import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createLogger } from '@observes/protocol';
import { HttpClient } from '@observes/tap-sdk';
import { createJob, jobDetails } from './bulk-read-api.js';
import { CreditMeter } from './credit-meter.js';
import { FakeZoho, type FakeZohoOptions } from './testing/fake-zoho.js';
import { ZohoAuth } from './zoho-auth.js';
import { DownloadGoneError, ZohoClient } from './zoho-client.js';

describe('ZohoClient: tokens and downloads, on a virtual clock', () => {
  let fake: FakeZoho;
  let dir: string;
  let t: number;
  let slept: number;
  const now = () => t;
  const sleep = async (ms: number) => {
    slept += ms;
    t += ms;
  };
  const logger = createLogger({ name: 'test', write: () => {} });

  async function setup(fakeOptions: FakeZohoOptions, downloadsPerMinute: number) {
    t = Date.now();
    slept = 0;
    // Jobs are COMPLETED from their first status check; the fake runs on the same clock.
    fake = await FakeZoho.start({ now, statusChecksToComplete: 1, ...fakeOptions });
    dir = mkdtempSync(join(tmpdir(), 'zoho-client-'));
    const http = new HttpClient({ sleep, now, random: () => 0.5, logger });
    const auth = new ZohoAuth(
      http,
      fake.accountsUrl,
      { clientId: fake.clientId, clientSecret: fake.clientSecret, refreshToken: fake.refreshToken },
      logger,
      now,
    );
    return { auth, client: new ZohoClient({ http, auth, credits: new CreditMeter(), logger, downloadsPerMinute, sleep, now, random: () => 0.5 }) };
  }
  afterEach(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function downloadOne(client: ZohoClient, name: string): Promise<string> {
    const { id } = await createJob(client, { module: { api_name: 'Leads' }, fields: ['Last_Name'], page: 1 }, 'Leads');
    const details = await jobDetails(client, id, 'Leads');
    const file = join(dir, `${name}.zip`);
    await client.download(details.result!.download_url, file, `Leads ${name}`);
    return file;
  }

  it('starts at most the configured downloads in a minute, in a burst, without a 429', async () => {
    const { client } = await setup({ downloadsPerMinute: 10 }, 2);
    for (const name of ['a', 'b', 'c']) expect(existsSync(await downloadOne(client, name))).to.equal(true);
    expect(fake.apiRequests.filter((r) => r.path.endsWith('/result')).map((r) => r.status)).to.deep.equal([200, 200, 200]);
    expect(slept).to.be.at.least(59_000).and.below(61_000);
  });

  it('waits a minute after Zoho answers 429 to a download, then gets it', async () => {
    const { client } = await setup({ downloadsPerMinute: 2 }, 10);
    for (const name of ['a', 'b', 'c']) expect(existsSync(await downloadOne(client, name))).to.equal(true);
    expect(fake.apiRequests.filter((r) => r.path.endsWith('/result')).map((r) => r.status)).to.deep.equal([200, 200, 429, 200]);
    expect(slept).to.be.at.least(60_000);
  });

  it('refreshes the token once for concurrent calls, and again when the API calls it invalid', async () => {
    const { client, auth } = await setup({}, 10);
    await Promise.all(['Leads', 'Deals', 'Contacts'].map((module) => createJob(client, { module: { api_name: module }, fields: ['Owner'], page: 1 }, module)));
    expect(fake.issuedTokens).to.have.length(1);
    fake.revokeTokens();
    expect(existsSync(await downloadOne(client, 'after-revoke'))).to.equal(true);
    expect(fake.issuedTokens).to.have.length(2);
    expect(auth.refreshes).to.equal(2);
    // A token is refreshed before Zoho's expiry (3600 s), not after.
    t += 3_400_000;
    await createJob(client, { module: { api_name: 'Leads' }, fields: ['Owner'], page: 1 }, 'Leads');
    expect(fake.issuedTokens).to.have.length(3);
    expect(fake.apiRequests.filter((r) => r.status === 401)).to.have.length(1);
  });

  it('says a result is gone (404) so the export is made again', async () => {
    const { client } = await setup({}, 10);
    const { id } = await createJob(client, { module: { api_name: 'Leads' }, fields: ['Owner'], page: 1 }, 'Leads');
    await jobDetails(client, id, 'Leads');
    fake.dropResults();
    try {
      await client.download(`/crm/bulk/v8/read/${id}/result`, join(dir, 'gone.zip'), 'Leads page 1');
      expect.fail('the download should fail');
    } catch (error) {
      expect(error).to.be.instanceOf(DownloadGoneError);
      expect((error as Error).message)
        .to.contain('404')
        .and.contain('RESOURCE_NOT_FOUND');
    }
  });
});
