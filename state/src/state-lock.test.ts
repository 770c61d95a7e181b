import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { startS3Server, type S3Server } from '@observes/testkit';
import { FileStateStore } from './file-state-store.js';
import { createS3Client } from './s3-client.js';
import { S3StateStore } from './s3-state-store.js';
import { LockHeldError, type LockInfo } from './state-lock.js';
import type { StateStore } from './state-store.js';
import { startConditionalWriteProxy, type ConditionalWriteProxy } from './testing/conditional-write-proxy.js';

const HOUR = 3_600_000;

/** The same lock behaviour, whatever the store. */
function lockBehaviour(name: string, open: (key: string) => StateStore, plant: (key: string, lock: LockInfo) => Promise<void>) {
  describe(`${name}: one run at a time`, () => {
    it('refuses a second lock naming the run, host and start time, and takes it again once released', async () => {
      const store = open('a.json');
      const first = await store.lock({ runId: 'run-1', unit: 'gitlab', ttlMs: HOUR });
      const refused = await open('a.json')
        .lock({ runId: 'run-2', unit: 'gitlab', ttlMs: HOUR })
        .catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(LockHeldError);
      expect((refused as LockHeldError).holder).to.deep.include({
        run_id: 'run-1',
        unit: 'gitlab',
        host: hostname(),
        pid: process.pid,
        started_at: first.info.started_at,
      });
      expect((refused as Error).message).to.match(/^gitlab is being run by run run-1 on host .+ since \d{4}-.*expires at .*--force-unlock/);
      expect(await first.release()).to.equal(true);
      expect(await store.readLock()).to.equal(undefined);
      const second = await open('a.json').lock({ runId: 'run-2', ttlMs: HOUR });
      expect(second.tookOver).to.equal(undefined);
      await second.release();
    });

    it('of many runs racing for a free lock exactly one gets it', async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => open('race.json').lock({ runId: `run-${i}`, ttlMs: HOUR })));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).to.have.length(1);
      expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof LockHeldError)).to.equal(true);
      await (won[0] as PromiseFulfilledResult<{ release(): Promise<boolean> }>).value.release();
    });

    it("takes over an expired lock (one racer wins), and the old holder's release then leaves the new lock alone", async () => {
      const old = await open('expired.json').lock({ runId: 'crashed', ttlMs: 1, now: () => Date.now() - 10_000 });
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => open('expired.json').lock({ runId: `next-${i}`, ttlMs: HOUR })));
      const won = outcomes.filter((o) => o.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<StateStore['lock']>>>[];
      expect(won).to.have.length(1);
      // The winner replaced the expired lock, or created its own in the instant another racer had moved it aside.
      expect(won[0].value.tookOver?.run_id ?? 'crashed').to.equal('crashed');
      expect(await old.release(), 'the expired holder no longer owns it').to.equal(false);
      expect((await open('expired.json').readLock())?.run_id).to.equal(won[0].value.info.run_id);
      await won[0].value.release();
    });

    it('takes over at once a lock of a process on this host that is gone; --force-unlock removes a live one', async () => {
      const dead = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['-e', '0']);
        child.on('exit', () => resolve(child.pid!));
      });
      const started = new Date().toISOString();
      await plant('dead.json', { run_id: 'dead-run', host: hostname(), pid: dead, started_at: started, expires_at: new Date(Date.now() + HOUR).toISOString() });
      const taken = await open('dead.json').lock({ runId: 'after', ttlMs: HOUR });
      expect(taken.tookOver?.run_id).to.equal('dead-run');
      expect((await open('dead.json').forceUnlock())?.run_id).to.equal('after');
      expect(await open('dead.json').readLock()).to.equal(undefined);
    });
  });
}

describe('state locks', () => {
  let dir: string;
  let s3: S3Server;
  let proxy: ConditionalWriteProxy;
  const saved = { ...process.env };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-lock-'));
    s3 = await startS3Server({ buckets: ['observes.state'] });
    proxy = await startConditionalWriteProxy(s3.endpoint, s3.s3Config);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey });
  });
  after(async () => {
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await proxy?.close();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  lockBehaviour(
    'file store',
    (key) => new FileStateStore(join(dir, key)),
    (key, lock) => writeFile(join(dir, `${key}.lock`), JSON.stringify(lock)),
  );

  const s3Store = (key: string) =>
    new S3StateStore(
      { bucket: 'observes.state', key: `locks/${key}` },
      { client: createS3Client({ endpoint: proxy.endpoint, maxAttempts: 1 }), retries: 3, baseDelayMs: 1 },
    );
  lockBehaviour('S3 store (conditional writes enforced by the proxy)', s3Store, async (key, lock) => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'observes.state', Key: `locks/${key}.lock`, Body: JSON.stringify(lock) }));
  });

  it('s3rver alone does not enforce If-None-Match (why the S3 lock tests go through the proxy)', async () => {
    const direct = createS3Client({ endpoint: s3.endpoint, maxAttempts: 1 });
    const put = () => direct.send(new PutObjectCommand({ Bucket: 'observes.state', Key: 'plain.lock', Body: 'x', IfNoneMatch: '*' }));
    await put();
    await put(); // no 412
    const guarded = createS3Client({ endpoint: proxy.endpoint, maxAttempts: 1 });
    const error = await guarded
      .send(new PutObjectCommand({ Bucket: 'observes.state', Key: 'plain.lock', Body: 'x', IfNoneMatch: '*' }))
      .catch((e: unknown) => e);
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).to.equal(412);
    direct.destroy();
    guarded.destroy();
  });
});
