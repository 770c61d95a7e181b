import { GetObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createS3Client } from './s3-client.js';
import { S3StateStore } from './s3-state-store.js';
import { openStateStore } from './open-state-store.js';
import { startS3Server, type S3Server } from '@observes/testkit';
import { startFaultyHttpProxy, type FaultyHttpProxy } from './testing/faulty-http-proxy.js';

describe('S3StateStore (s3rver)', () => {
  let s3: S3Server;
  let proxy: FaultyHttpProxy;
  const saved = { ...process.env };
  before(async () => {
    s3 = await startS3Server({ buckets: ['observes.state'] });
    proxy = await startFaultyHttpProxy(s3.endpoint);
    // openStateStore finds the endpoint and credentials in the environment, as in a pipeline run.
    Object.assign(process.env, {
      OBSERVES_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey,
    });
  });
  after(async () => {
    for (const key of ['OBSERVES_S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await proxy.close();
    await s3.stop();
  });
  beforeEach(() => proxy.setPlan(() => undefined));

  const throughProxy = (key: string, retries = 6) =>
    new S3StateStore({ bucket: 'observes.state', key }, { client: createS3Client({ endpoint: proxy.endpoint, maxAttempts: 1 }), retries, baseDelayMs: 1 });
  /** The value of the stored record. */
  const stored = async (key: string) =>
    (JSON.parse(await (await s3.client.send(new GetObjectCommand({ Bucket: 'observes.state', Key: key }))).Body!.transformToString()) as { value: unknown })
      .value;

  it('writes, reads back, clears and keeps history', async () => {
    const store = openStateStore('s3://observes.state/pipelines/a.json');
    expect(await store.read()).to.equal(undefined);
    await store.write({ bookmarks: { a: 1 } });
    await store.write({ bookmarks: { a: 2 } });
    expect(await store.read()).to.deep.equal({ bookmarks: { a: 2 } });
    await store.clear();
    expect(await store.read()).to.equal(undefined);
    expect(await store.readRecord()).to.deep.include({ cleared: true, sequence: 3 });
    const history = await store.history();
    expect(history).to.have.length(1);
    expect(history[0]).to.deep.include({ sequence: 2, origin: 'operator' });
    expect(await store.readVersion(history[0].id)).to.deep.equal({ bookmarks: { a: 2 } });
  });

  it('retries 500 and SlowDown answers on writes: the state is never lost', async () => {
    proxy.setPlan((req, i) => (req.method === 'PUT' && i < 6 ? (i % 2 ? 'slow-down' : 'internal-error') : undefined));
    await throughProxy('pipelines/b.json').write({ bookmarks: { b: 'x' } });
    expect(proxy.injected.filter((f) => f.fault !== 'truncate-body').length).to.be.greaterThan(1);
    expect(await stored('pipelines/b.json')).to.deep.equal({ bookmarks: { b: 'x' } });
  });

  it('detects a cut upload acknowledged as complete and rewrites it whole', async () => {
    let cut = 0;
    proxy.setPlan((req) => (req.method === 'PUT' && cut++ === 0 ? 'truncate-body' : undefined));
    await throughProxy('pipelines/c.json').write({ bookmarks: { c: 'a long enough value to cut in half' } });
    expect(proxy.injected.some((f) => f.fault === 'truncate-body')).to.equal(true);
    expect(await stored('pipelines/c.json')).to.deep.equal({ bookmarks: { c: 'a long enough value to cut in half' } });
  });

  it('fails after its retries, leaving the previous state whole', async () => {
    await throughProxy('pipelines/d.json').write({ v: 1 });
    proxy.setPlan((req) => (req.method === 'PUT' ? 'internal-error' : undefined));
    const error = await throughProxy('pipelines/d.json', 2)
      .write({ v: 2 })
      .catch((e: Error) => e);
    expect(error).to.be.instanceOf(Error);
    expect(await stored('pipelines/d.json')).to.deep.equal({ v: 1 });
  });
});
