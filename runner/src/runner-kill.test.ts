import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createTestDatabase, startS3Server, type S3Server, type TestDatabase } from '@observes/testkit';

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
  const env = () => ({
    ...process.env,
    AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    OBSERVES_LOG_LEVEL: 'error',
  });

  /** Runs `observes run file`; with `killWhen`, SIGKILLs it once that resolves (its pid added to `killed`). Resolves with its exit code (null when killed). */
  async function observes(file: string, killWhen?: () => Promise<void>, killed: number[] = []): Promise<number | null> {
    const child = spawn(process.execPath, [BIN, 'run', file, '--kill-grace', '2'], { stdio: 'ignore', env: env() });
    if (killWhen) killed.push(child.pid!);
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

  it("target-s3 (append, one run id per run): every record in exactly one run's listed files after 3 kills mid-run and a clean run", async () => {
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
    const killed: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      const before = existsSync(state) ? await readFile(state, 'utf8') : undefined;
      expect(await observes(file, progressed(state, before), killed)).to.equal(null);
      // A killed run leaves its lock; a dead process's lock on this host is taken over at once by the next run.
      expect(existsSync(`${state}.lock`)).to.equal(true);
    }
    expect(await observes(file)).to.equal(0);
    // The killed runners' private directories held the target's config: the clean run removed them.
    const left = (await readdir(tmpdir())).filter((name) => killed.some((pid) => name.startsWith(`observes-run-${pid}-`)));
    expect(left, 'private directories of killed runners').to.deep.equal([]);
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
        for (const line of gunzipSync(Buffer.from(await body.Body!.transformToByteArray()))
          .toString('utf8')
          .split('\n'))
          if (line) ids.push((JSON.parse(line) as { id: number }).id);
      }
    }
    expect(complete, 'only the clean run completed').to.equal(1);
    expect(ids.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 600 }, (_, i) => i + 1));
  });

  describe('with target-redshift on PostgreSQL: merge, append and full refresh', () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase();
    });
    after(() => db?.drop());
    const COUNT = 300;
    const modes = {
      merged: { tap: {}, target: {} },
      appended: { tap: { keyless: true }, target: {} },
      replaced: { tap: { full_table: true, version: 0 }, target: { replace_on_eof: true } },
    } as const;
    const pipelines = async () =>
      Promise.all(
        Object.entries(modes).map(async ([name, mode]) => {
          const file = join(dir, `${name}.yaml`);
          const target = { url: db.url, dialect: 'postgres', schema: name, batch_size_rows: 20, batch_max_age_seconds: 0, ...mode.target };
          const tap = { stream: 'items', count: COUNT, state_every: 10, pause_every: 10, pause_ms: 30, ...mode.tap };
          await writeFile(
            file,
            [
              `name: ${name}`,
              `tap: {command: [${node}, ${JSON.stringify(TAP)}], config: ${JSON.stringify(tap)}}`,
              `target: {command: target-redshift, config: ${JSON.stringify(target)}}`,
              `state: ${join(dir, `${name}.json`)}`,
            ].join('\n'),
          );
          return file;
        }),
      );
    const ids = async (schema: string) =>
      (await db.query<{ id: string }>(`SELECT id FROM ${schema}.items ORDER BY id`).catch(() => [])).map((r) => Number(r.id));
    const committed = async (schema: string) =>
      ((await db.query<{ state: string }>(`SELECT state FROM ${schema}._sdc_state`).catch(() => []))[0] as { state?: string } | undefined)?.state;
    const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

    it('20 SIGKILLs of observes run at random moments: after each the tables hold the old or the committed data, and the end equals a clean run', async function () {
      this.timeout(300_000);
      const files = await pipelines();
      const args = ['run', '--concurrency', '3', '--kill-grace', '2', ...files];
      let replacedBefore = 0;
      for (let kill = 0; kill < 20; kill++) {
        const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore', env: env() });
        const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
        await sleep(700 + Math.random() * 1800);
        child.kill('SIGKILL');
        await exit;
        // The children stop on their own; give them a moment, then look at what is committed.
        await sleep(150);
        const merged = await ids('merged');
        const mergedState = await committed('merged');
        const upTo = mergedState ? (JSON.parse(mergedState) as { bookmarks: { items: { id: number } } }).bookmarks.items.id : 0;
        expect(new Set(merged).size, 'merge: no duplicates').to.equal(merged.length);
        expect(merged.slice(0, upTo), `merge: everything up to the committed state (${upTo})`).to.deep.equal(range(upTo));
        const appended = await ids('appended');
        const appendedState = await committed('appended');
        const appendedUpTo = appendedState ? (JSON.parse(appendedState) as { bookmarks: { items: { id: number } } }).bookmarks.items.id : 0;
        expect(appended, `append: exactly the records the committed state covers (${appendedUpTo})`).to.deep.equal(range(appendedUpTo));
        const replaced = await ids('replaced');
        expect([replacedBefore, COUNT], `full refresh: the old table or the new one, never a part (${replaced.length} rows)`).to.include(replaced.length);
        expect(replaced).to.deep.equal(range(replaced.length));
        replacedBefore = replaced.length;
      }
      const clean = await new Promise<number | null>((resolve) =>
        spawn(process.execPath, [BIN, ...args], { stdio: 'ignore', env: env() }).on('close', resolve),
      );
      expect(clean).to.equal(0);
      for (const schema of Object.keys(modes)) expect(await ids(schema), schema).to.deep.equal(range(COUNT));
    });

    it('two runs of one pipeline at once: the second refuses naming the first, the tables are exact', async function () {
      this.timeout(120_000);
      const file = join(dir, 'twice.yaml');
      const target = { url: db.url, dialect: 'postgres', schema: 'twice', batch_size_rows: 20, batch_max_age_seconds: 0 };
      await writeFile(
        file,
        [
          `name: twice`,
          `tap: {command: [${node}, ${JSON.stringify(TAP)}], config: ${JSON.stringify({ stream: 'items', count: 200, keyless: true, pause_every: 20, pause_ms: 300 })}}`,
          `target: {command: target-redshift, config: ${JSON.stringify(target)}}`,
          `state: ${join(dir, 'twice.json')}`,
        ].join('\n'),
      );
      const report = (n: number) => join(dir, `twice-${n}.json`);
      const start = (n: number) =>
        new Promise<number | null>((resolve) =>
          spawn(process.execPath, [BIN, 'run', '--report', report(n), file], { stdio: 'ignore', env: env() }).on('close', resolve),
        );
      // The first run lasts 3 s or more (10 pauses of 300 ms): the second, started once the lock exists, finds it held
      // even when starting a node process takes a second or two on a loaded machine.
      const first = start(1);
      for (let i = 0; i < 200 && !existsSync(join(dir, 'twice.json.lock')); i++) await sleep(20);
      const second = await start(2);
      expect(second, 'the second run refuses: exit 7').to.equal(7);
      const refused = JSON.parse(await readFile(report(2), 'utf8')) as { pipelines: Array<{ units: Array<{ failure: string; message: string }> }> };
      expect(refused.pipelines[0].units[0].failure).to.equal('locked');
      expect(refused.pipelines[0].units[0].message).to.match(/^twice is being run by run \S+ on host /);
      expect(await first).to.equal(0);
      expect(await ids('twice')).to.deep.equal(range(200));
    });
  });
});
