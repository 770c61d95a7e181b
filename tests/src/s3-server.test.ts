import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { expect } from 'chai';
import { Readable } from 'node:stream';
import { startS3Server, type S3Server } from './s3-server.js';

describe('startS3Server', () => {
  let s3: S3Server;
  before(async () => {
    s3 = await startS3Server({ buckets: ['observes.test'] });
  });
  after(() => s3.stop());

  it('stores and returns an object byte for byte', async () => {
    const body = 'line "one"\\\n\tĂ©moji 🎉\n';
    await s3.client.send(new PutObjectCommand({ Bucket: 'observes.test', Key: 'a/one.txt', Body: body }));
    const got = await s3.client.send(new GetObjectCommand({ Bucket: 'observes.test', Key: 'a/one.txt' }));
    expect(await got.Body!.transformToString()).to.equal(body);
  });

  it('keeps a streamed multipart-less upload intact', async () => {
    const body = 'x'.repeat(100_000);
    await new Upload({ client: s3.client, params: { Bucket: 'observes.test', Key: 'a/streamed.txt', Body: Readable.from([body]) } }).done();
    const got = await s3.client.send(new GetObjectCommand({ Bucket: 'observes.test', Key: 'a/streamed.txt' }));
    expect(await got.Body!.transformToString()).to.equal(body);
  });

  it('lists objects page by page, with or without --openssl-legacy-provider in this process', async () => {
    for (let i = 0; i < 5; i++) {
      await s3.client.send(new PutObjectCommand({ Bucket: 'observes.test', Key: `paged/${i}.txt`, Body: String(i) }));
    }
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.client.send(new ListObjectsV2Command({ Bucket: 'observes.test', Prefix: 'paged/', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
      pages++;
    } while (token);
    expect(pages).to.equal(3);
    expect(keys).to.deep.equal(['paged/0.txt', 'paged/1.txt', 'paged/2.txt', 'paged/3.txt', 'paged/4.txt']);
  });

  it('shows a PUT whole or not at all, as S3 does: the old object while it streams, the old one still after it is cut off', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'observes.test', Key: 'atomic/one.json', Body: '{"old":true}' }));
    const chunk = 'y'.repeat(64 * 1024);
    let sent = 0;
    const abort = new AbortController();
    const slow = new Readable({
      read() {
        sent++;
        setTimeout(() => this.push(chunk), 20);
      },
    });
    const put = s3.client.send(new PutObjectCommand({ Bucket: 'observes.test', Key: 'atomic/one.json', Body: slow, ContentLength: chunk.length * 50 }), {
      abortSignal: abort.signal,
    });
    while (sent < 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const during = await s3.client.send(new GetObjectCommand({ Bucket: 'observes.test', Key: 'atomic/one.json' }));
    expect(await during.Body!.transformToString()).to.equal('{"old":true}');
    abort.abort();
    await put.then(
      () => expect.fail('the cut-off upload succeeded'),
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await s3.client.send(new GetObjectCommand({ Bucket: 'observes.test', Key: 'atomic/one.json' }));
    expect(await after.Body!.transformToString()).to.equal('{"old":true}');
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'observes.test', Prefix: 'atomic/' }));
    expect((listed.Contents ?? []).map((o) => o.Key)).to.deep.equal(['atomic/one.json']);
  });
});
