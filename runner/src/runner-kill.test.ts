import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { startS3Server, type S3Server } from '@observes/testkit';

// SIGKILLs of `observes run` itself at random points, each followed by the next scheduled run:
// whatever the moment, what the targets committed is exact and the next run resumes from it.

const TAP = fileURLToPath(new URL('./testing/fixture-tap.js', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));
const node = JSON.stringify(process.execPath);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SIGKILL of observes run', function () {
  let dir: string;
  let s3: S3Server;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-runner-kill-'));
    s3 = await startS3Server({ buckets: ['staging'] });
  });
  after(async () => {
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const env = () => ({ ...process.env, AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: s3.endpoint, OBSERVES_LOG_LEVEL: 'error' });

  /** Runs `observes run file`; with `killWhen`, SIGKILLs it once that resolves. Resolves with its exit code (null when killed). */
  async function observes(file: string, killWhen?: () => Promise<void>): Promise<number | null> {
    const child = spawn(process.execPath, [BIN, 'run', file, '--kill-grace', '2'], { stdio: 'ignore', env: env() });
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    if (killWhen) {
      await killWhen();
      child.kill('SIGKILL');
    }
    return exit;
  }

  /** Resolves once the saved state moved past `after` (the run is making progress), plus a random pause. */
  const progressed = (state: string, after: string | undefined) => async () => {
    for (let i = 0; i < 500 && (!existsSync(state) || (await readFile(state, 'utf8')) === after); i++) await sleep(20);
    await sleep(Math.random() * 400);
  };

  it('target-s3 (append, one run id per run): every record in exactly one run\'s listed files after 3 kills mid-run and a clean run', async () => {
    const file = join(dir, 'staged.yaml');
    const state = join(dir, 'staged.json');
    await writeFile(
      file,
      [
        'name: staged',
        `tap: {command: [${node}, ${JSON.stringify(TAP)}], config: {count: 600, state_every: 10, pause_every: 10, pause_ms: 50}}`,
        `target: {command: target-s3, config: {bucket: staging, prefix: items, batch_max_age_seconds: 0, endpoint: ${JSON.stringify(s3.endpoint)}}}`,
        `state: ${state}`,
      ].join('\n'),
    );
    for (let kill = 0; kill < 3; kill++) {
      const before = existsSync(state) ? await readFile(state, 'utf8') : undefined;
      expect(await observes(file, progressed(state, before))).to.equal(null);
      // A killed run leaves its lock; a dead process's lock on this host is taken over at once by the next run.
      expect(existsSync(`${state}.lock`)).to.equal(true);
    }
    expect(await observes(file)).to.equal(0);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'staging', Prefix: 'items/_manifests/', Delimiter: '/' }));
    const ids: number[] = [];
    let complete = 0;
    for (const object of listed.Contents ?? []) {
      const manifest = JSON.parse(await (await s3.client.send(new GetObjectCommand({ Bucket: 'staging', Key: object.Key! }))).Body!.transformToString()) as {
        complete?: boolean;
        streams: Record<string, { files: { url: string }[] }>;
      };
      if (manifest.complete) complete++;
      for (const f of manifest.streams.items?.files ?? []) {
        const body = await s3.client.send(new GetObjectCommand({ Bucket: 'staging', Key: f.url.replace('s3://staging/', '') }));
        for (const line of gunzipSync(Buffer.from(await body.Body!.transformToByteArray())).toString('utf8').split('\n')) if (line) ids.push((JSON.parse(line) as { id: number }).id);
      }
    }
    expect(complete, 'only the clean run completed').to.equal(1);
    expect(ids.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 600 }, (_, i) => i + 1));
  });
});
